// Hypervolume in d >= 4 objectives: the WFG algorithm (While, Bradstreet & Barone, "A fast way of
// calculating exact hypervolumes", IEEE TEC 16(1), 2012) with slicing in the last objective. Rows
// are taken worst-first in the last objective; each row adds its exclusive volume with respect to
// the rows after it, and since those are no worse in the last objective, the limit set (the rows
// after it, each clipped to the row's box) shares the row's last value, so the exclusive volume is
// (ref_last - p_last) x [inclusive (d-1)-volume of p - (d-1)-hypervolume of the non-dominated
// limit set]. The recursion ends in the 3-D sweep. Worst case exponential in d (the problem is
// #P-hard); O(n) memory per level. The driver also screens the input and batches over sets.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "frontierkit/hypervolume.hpp"
#include "frontierkit/parallel.hpp"

namespace frontierkit::hv {

namespace detail {

namespace {

double box_volume(const double* p, const double* ref, std::size_t d) {
    double v = 1.0;
    for (std::size_t k = 0; k < d; ++k) v *= ref[k] - p[k];
    return v;
}

// Keeps the rows of `rows` (m x d) that no other kept row weakly dominates (one copy of equal
// rows); returns how many, moved to the front.
std::size_t keep_nondominated(double* rows, std::size_t m, std::size_t d) {
    // Ascending coordinate sum first: a row can only be weakly dominated by one of no larger sum.
    std::vector<std::pair<double, std::uint32_t>> by_sum(m);
    for (std::size_t i = 0; i < m; ++i) {
        double s = 0.0;
        for (std::size_t k = 0; k < d; ++k) s += rows[i * d + k];
        by_sum[i] = {s, static_cast<std::uint32_t>(i)};
    }
    std::sort(by_sum.begin(), by_sum.end());
    std::vector<double> kept;
    kept.reserve(m * d);
    std::size_t nk = 0;
    for (const auto& [s, i] : by_sum) {
        const double* p = rows + static_cast<std::size_t>(i) * d;
        bool covered = false;
        for (std::size_t j = 0; j < nk && !covered; ++j) {
            const double* q = kept.data() + j * d;
            std::size_t k = 0;
            while (k < d && q[k] <= p[k]) ++k;
            covered = k == d;
        }
        if (!covered) {
            kept.insert(kept.end(), p, p + d);
            ++nk;
        }
    }
    std::copy(kept.begin(), kept.end(), rows);
    return nk;
}

}  // namespace

double hv_wfg(double* rows, std::size_t m, std::size_t d, const double* ref) {
    if (m == 0) return 0.0;
    if (m == 1) return box_volume(rows, ref, d);
    if (d == 2) return hv2d(rows, m, ref);
    if (d == 3) return hv3d(rows, m, ref);
    // Worst first in the last objective.
    std::vector<std::uint32_t> idx(m);
    std::iota(idx.begin(), idx.end(), 0u);
    std::sort(idx.begin(), idx.end(), [&](std::uint32_t a, std::uint32_t b) {
        return rows[a * d + d - 1] > rows[b * d + d - 1];
    });
    std::vector<double> sorted(m * d);
    for (std::size_t i = 0; i < m; ++i) std::copy(rows + idx[i] * d, rows + idx[i] * d + d, sorted.begin() + i * d);
    const std::size_t e = d - 1;
    std::vector<double> limit;
    double vol = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
        const double* p = sorted.data() + i * d;
        const double height = ref[e] - p[e];
        limit.resize((m - i - 1) * e);
        for (std::size_t j = i + 1; j < m; ++j) {
            const double* q = sorted.data() + j * d;
            double* out = limit.data() + (j - i - 1) * e;
            for (std::size_t k = 0; k < e; ++k) out[k] = std::max(p[k], q[k]);
        }
        std::size_t nl = m - i - 1;
        if (e > 3) nl = keep_nondominated(limit.data(), nl, e);  // the sweeps skip covered rows
        const double inner = box_volume(p, ref, e) - hv_wfg(limit.data(), nl, e, ref);
        vol += height * inner;
    }
    return vol;
}

}  // namespace detail

double hypervolume(const double* pts, std::size_t n, std::size_t d, const double* ref) {
    // Only rows that strictly dominate ref count.
    std::vector<double> rows;
    rows.reserve(n * d);
    bool infinite = false;
    for (std::size_t i = 0; i < n; ++i) {
        const double* p = pts + i * d;
        bool inside = true;
        for (std::size_t k = 0; k < d; ++k) inside &= p[k] < ref[k];
        if (!inside) continue;
        for (std::size_t k = 0; k < d; ++k) infinite |= std::isinf(p[k]) || std::isinf(ref[k]);
        rows.insert(rows.end(), p, p + d);
    }
    const std::size_t m = rows.size() / (d ? d : 1);
    if (m == 0) return 0.0;
    if (infinite) return HUGE_VAL;  // a box with an infinite side, and a positive other sides
    if (d == 1) {
        double lo = rows[0];
        for (std::size_t i = 1; i < m; ++i) lo = std::min(lo, rows[i]);
        return ref[0] - lo;
    }
    return detail::hv_wfg(rows.data(), m, d, ref);
}

void hypervolume_sets(const double* pts, std::size_t d, const index_t* offsets, std::size_t nsets,
                      const double* ref, double* out, int threads) {
    // Even small sets cost enough in d >= 3 for threads to pay off over a few hundred rows.
    parallel_sets(nsets, offsets, threads, 256, [&](std::size_t s) {
        out[s] = hypervolume(pts + offsets[s] * d, static_cast<std::size_t>(offsets[s + 1] - offsets[s]), d, ref);
    });
}

}  // namespace frontierkit::hv
