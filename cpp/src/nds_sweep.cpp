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
//
// d = 3, all ranks: the efficient non-dominated sort with binary search over fronts (Zhang, Tian,
// Cheng & Jin, "An efficient approach to non-dominated sorting for evolutionary multiobjective
// optimization", IEEE TEC 19(2), 2015) with each front held as its staircase in objectives 1 and
// 2: the rows of the front whose (y, z) no other row of the front weakly dominates, y ascending
// and z descending, in a flat array. Whether a front dominates a row is one binary search (the
// staircase step at or left of the row's y), and a row dominated by front k is dominated by every
// front before it, so its rank is a binary search over the fronts: O(log F log n) per row. Adding
// a row erases the steps it covers and inserts one, a move of the steps to its right; the moves
// are counted and the sweep gives up past O(n log n) of them (adversarial staircases), leaving
// the rows to the divide and conquer. The first front alone is the same sweep with one staircase
// (no sort besides the lexicographic one), with the Fenwick sweep above as its fallback.
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

namespace {

// Index of the first a[i] > y in the ascending a[0..n), without data-dependent branches (the
// compare selects the next base), so random queries cost no mispredictions.
std::size_t upper_index(const double* a, std::size_t n, double y) {
    if (n == 0) return 0;
    const double* base = a;
    while (n > 1) {
        const std::size_t half = n / 2;
        base = base[half - 1] <= y ? base + half : base;
        n -= half;
    }
    return static_cast<std::size_t>(base - a) + (*base <= y);
}

}  // namespace

void ranks_2d_sweep(const double* u, std::size_t m, std::int32_t* r) {
    std::vector<double> front_min;  // smallest second objective of each front so far
    for (std::size_t i = 0; i < m; ++i) {
        const double y = u[2 * i + 1];
        const std::size_t k = upper_index(front_min.data(), front_min.size(), y);
        r[i] = static_cast<std::int32_t>(k);
        if (k == front_min.size())
            front_min.push_back(y);
        else
            front_min[k] = y;
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

namespace {

// The sweep behind ranks_3d_staircase and front_3d_staircase; with front_only, rows covered by
// front 0 are only marked (r = 1) and never stored.
bool staircase_sweep(const double* u, std::size_t m, std::int32_t* r, bool front_only) {
    struct Step {
        double y, z;
    };
    std::vector<std::vector<Step>> fronts;
    std::size_t log2m = 1;
    while ((std::size_t{1} << log2m) < m) ++log2m;
    const std::size_t budget = 16 * m * log2m + 4096;
    std::size_t moved = 0;
    auto covers = [](const std::vector<Step>& f, double y, double z) {
        // The last step with step.y <= y has the smallest z of all steps left of y.
        auto it = std::upper_bound(f.begin(), f.end(), y, [](double v, const Step& s) { return v < s.y; });
        return it != f.begin() && (it - 1)->z <= z;
    };
    for (std::size_t i = 0; i < m; ++i) {
        const double y = u[3 * i + 1], z = u[3 * i + 2];
        std::size_t lo = 0, hi = fronts.size();
        if (front_only) {
            lo = !fronts.empty() && covers(fronts[0], y, z);
        } else {
            while (lo < hi) {
                const std::size_t mid = (lo + hi) / 2;
                if (covers(fronts[mid], y, z))
                    lo = mid + 1;
                else
                    hi = mid;
            }
        }
        r[i] = static_cast<std::int32_t>(lo);
        if (front_only && lo == 1) continue;
        if (lo == fronts.size()) {
            fronts.push_back({{y, z}});
            continue;
        }
        std::vector<Step>& f = fronts[lo];
        // Steps with step.y >= y and step.z >= z are covered by the new row: a run starting at
        // the first step with step.y >= y (z descends along the staircase).
        auto first = std::lower_bound(f.begin(), f.end(), y, [](const Step& s, double v) { return s.y < v; });
        auto last = first;
        while (last != f.end() && last->z >= z) ++last;
        moved += static_cast<std::size_t>(f.end() - last);
        if (moved > budget) return false;
        if (first == last) {
            f.insert(first, Step{y, z});
        } else {
            *first = Step{y, z};
            f.erase(first + 1, last);
        }
    }
    return true;
}

}  // namespace

bool ranks_3d_staircase(const double* u, std::size_t m, std::int32_t* r) {
    return staircase_sweep(u, m, r, false);
}

void front_3d(const double* u, std::size_t m, std::uint8_t* nd) {
    std::vector<std::int32_t> r(m);
    if (staircase_sweep(u, m, r.data(), true)) {
        for (std::size_t i = 0; i < m; ++i) nd[i] = r[i] == 0;
        return;
    }
    front_3d_sweep(u, m, nd);
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
