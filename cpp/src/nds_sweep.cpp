// Sweep algorithms for non-dominated sorting of distinct rows in lexicographic order.
//
// d = 1, 2: after the lexicographic sort a row can be dominated only by an earlier row, and an
// earlier distinct row dominates it iff its second objective is <= (Kung, Luccio & Preparata,
// "On finding the maxima of a set of vectors", J. ACM 22(4), 1975). First front: running minimum,
// O(n). All ranks: the minimum of each front so far is non-decreasing in the front index, so a
// row's rank is an upper-bound binary search into it (Jensen, "Reducing the run-time complexity
// of multiobjective EAs: the NSGA-II and other algorithms", IEEE TEC 7(5), 2003), O(n log n).
//
// d = 3, first front: the same sweep with a prefix-minimum tree over the ranks of the second
// objective holding the smallest third objective seen (a Fenwick tree: a balanced implicit tree,
// Fenwick, "A new data structure for cumulative frequency tables", SP&E 24(3), 1994), O(n log n).
#include <algorithm>
#include <limits>

#include "frontierkit/pareto.hpp"

namespace frontierkit::pareto::detail {

void ranks_1d(std::size_t m, std::int32_t* r) {
    for (std::size_t i = 0; i < m; ++i) r[i] = static_cast<std::int32_t>(i);
}

void front_1d(std::size_t m, std::uint8_t* nd) {
    for (std::size_t i = 0; i < m; ++i) nd[i] = i == 0;
}

void front_2d_sweep(const double* u, std::size_t m, std::uint8_t* nd) {
    // NaN start value: "nothing seen yet" compares false with everything, +inf included.
    double best = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < m; ++i) {
        const double y = u[2 * i + 1];
        nd[i] = !(best <= y);
        if (!(best <= y)) best = y;
    }
}

void ranks_2d_sweep(const double* u, std::size_t m, std::int32_t* r) {
    std::vector<double> front_min;  // smallest second objective of each front so far
    for (std::size_t i = 0; i < m; ++i) {
        const double y = u[2 * i + 1];
        auto it = std::upper_bound(front_min.begin(), front_min.end(), y);
        r[i] = static_cast<std::int32_t>(it - front_min.begin());
        if (it == front_min.end())
            front_min.push_back(y);
        else
            *it = y;
    }
}

std::size_t dense_ranks(const double* v, std::size_t m, std::size_t stride, std::int32_t* out) {
    std::vector<std::pair<std::uint64_t, std::int32_t>> kv(m);
    for (std::size_t i = 0; i < m; ++i)
        kv[i] = {order_key(v[i * stride]), static_cast<std::int32_t>(i)};
    std::sort(kv.begin(), kv.end());
    std::int32_t rank = -1;
    for (std::size_t i = 0; i < m; ++i) {
        if (i == 0 || kv[i].first != kv[i - 1].first) ++rank;
        out[kv[i].second] = rank;
    }
    return static_cast<std::size_t>(rank + 1);
}

void front_3d_sweep(const double* u, std::size_t m, std::uint8_t* nd) {
    std::vector<std::int32_t> yrank(m);
    const std::size_t size = dense_ranks(u + 1, m, 3, yrank.data());
    // tree[k]: smallest third objective among inserted rows in k's range; NaN = none yet.
    std::vector<double> tree(size + 1, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < m; ++i) {
        const double z = u[3 * i + 2];
        double best = std::numeric_limits<double>::quiet_NaN();
        for (std::size_t k = yrank[i] + 1; k > 0; k -= k & (~k + 1))
            if (tree[k] == tree[k] && !(best <= tree[k])) best = tree[k];
        nd[i] = !(best <= z);
        for (std::size_t k = yrank[i] + 1; k <= size; k += k & (~k + 1))
            if (!(tree[k] <= z)) tree[k] = z;
    }
}

}  // namespace frontierkit::pareto::detail
