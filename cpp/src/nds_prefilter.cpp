// Pivot pre-filter for the first front (a cheap first pass in the spirit of Sort-Filter-Skyline,
// Chomicki, Godfrey, Gryz & Liang, ICDE 2003): the rows with the smallest coordinate sum are
// strong dominators, so a single pass that drops every row strictly dominated by one of a few such
// pivots removes most of a random set at O(n p d) cost. Exact: a dropped row is dominated, and a
// kept row's dominators are kept too (a dominator of a kept row that was dropped would make the
// pivot that dropped it dominate the kept row). Two rounds: pivots from a strided sample, then
// pivots from the survivors. The first round streams over the input once and writes only the
// indices of the survivors (memory traffic: the points, read once).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <memory>

#include "frontierkit/pareto.hpp"

namespace frontierkit::pareto::detail {

namespace {

constexpr std::size_t kMaxPivots = 8;

// Monotone in every coordinate (clamping and rounded addition both are); a row with NaN gets
// +inf, so it never becomes a pivot.
double sum_key(const double* p, std::size_t d) {
    double s = 0.0;
    for (std::size_t k = 0; k < d; ++k) {
        if (p[k] != p[k]) return HUGE_VAL;
        s += std::min(std::max(p[k], -DBL_MAX), DBL_MAX);
    }
    return s;
}

// Rows (of the candidates: every stride-th of `ids`, or of 0..n-1 when ids is null) with the
// smallest coordinate sums, copied into `piv` (count x d) with their sums in `psum`.
void pick_pivots(const double* pts, const index_t* ids, std::size_t n, std::size_t stride,
                 std::size_t d, std::size_t count, std::vector<double>& piv, std::vector<double>& psum) {
    std::vector<std::pair<double, index_t>> cand;
    cand.reserve(n / stride + 1);
    for (std::size_t i = 0; i < n; i += stride) {
        const index_t row = ids ? ids[i] : static_cast<index_t>(i);
        cand.push_back({sum_key(pts + row * d, d), row});
    }
    count = std::min(count, cand.size());
    std::partial_sort(cand.begin(), cand.begin() + count, cand.end());
    piv.resize(count * d);
    psum.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::copy(pts + cand[i].second * d, pts + cand[i].second * d + d, piv.begin() + i * d);
        psum[i] = cand[i].first;
    }
}

// Strict dominance of p by pivot v, with the dimension known at compile time (D > 0) or not.
// Written so that a NaN in p is never dominated: the caller screens the survivors for NaN.
template <std::size_t D>
inline bool pivot_dominates(const double* v, const double* p, std::size_t d) {
    const std::size_t dd = D ? D : d;
    bool le = true, lt = false;
    for (std::size_t k = 0; k < dd; ++k) {
        le &= v[k] <= p[k];
        lt |= v[k] < p[k];
    }
    return le && lt;
}

// Writes to `out` the rows (all of 0..n-1 when ids is null, else ids[0..n)) that no pivot
// dominates; returns how many. `out` has room for n and may be `ids` itself (it never overtakes
// the read position). The first pivot drops most rows, so the pivot loop exits early. A kept row
// with a smaller coordinate sum than the weakest pivot replaces it (`psum` is ascending), so the pivots keep improving
// along the pass whatever the order of the rows.
template <std::size_t D>
std::size_t filter(const double* pts, const index_t* ids, std::size_t n, std::size_t d,
                   std::vector<double>& piv, std::vector<double>& psum, index_t* out) {
    const std::size_t dd = D ? D : d;
    const std::size_t np = psum.size();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const index_t row = ids ? ids[i] : static_cast<index_t>(i);
        const double* p = pts + row * dd;
        bool dominated = false;
        for (std::size_t v = 0; v < np && !dominated; ++v) dominated = pivot_dominates<D>(piv.data() + v * dd, p, dd);
        if (dominated) continue;
        out[kept++] = row;
        const double s = sum_key(p, dd);
        if (s < psum[np - 1]) {
            // Keep the pivots ordered by sum: pivot 0, the strongest, is tested first.
            std::size_t at = np - 1;
            for (; at > 0 && psum[at - 1] > s; --at) {
                psum[at] = psum[at - 1];
                std::copy(piv.begin() + (at - 1) * dd, piv.begin() + at * dd, piv.begin() + at * dd);
            }
            psum[at] = s;
            std::copy(p, p + dd, piv.begin() + at * dd);
        }
    }
    return kept;
}

template <std::size_t D>
std::vector<index_t> prefilter(const double* pts, std::size_t n, std::size_t d) {
    const std::size_t count = d <= 2 ? 2 : (d == 3 ? 4 : kMaxPivots);
    std::vector<double> piv, psum;
    // Uninitialised scratch: only the pages the survivors reach are ever touched.
    std::unique_ptr<index_t[]> buf(new index_t[n]);
    pick_pivots(pts, nullptr, n, std::max<std::size_t>(1, n / 4096), d, count, piv, psum);
    std::size_t m = filter<D>(pts, nullptr, n, d, piv, psum, buf.get());
    if (m > 64) {
        pick_pivots(pts, buf.get(), m, 1, d, count, piv, psum);
        m = filter<D>(pts, buf.get(), m, d, piv, psum, buf.get());
    }
    return std::vector<index_t>(buf.get(), buf.get() + m);
}

}  // namespace

std::vector<index_t> pivot_prefilter(const double* pts, std::size_t n, std::size_t d) {
    switch (d) {
        case 2: return prefilter<2>(pts, n, d);
        case 3: return prefilter<3>(pts, n, d);
        case 4: return prefilter<4>(pts, n, d);
        default: return prefilter<0>(pts, n, d);
    }
}

}  // namespace frontierkit::pareto::detail
