// Pivot pre-filter for the first front (a cheap first pass in the spirit of Sort-Filter-Skyline,
// Chomicki, Godfrey, Gryz & Liang, ICDE 2003): the rows with the smallest coordinate sum are
// strong dominators, so a single pass that drops every row strictly dominated by one of a few such
// pivots removes most of a random set at O(n p d) cost. Exact: a dropped row is dominated, and a
// kept row's dominators are kept too (a dominator of a kept row that was dropped would make the
// pivot that dropped it dominate the kept row). Two rounds: pivots from a strided sample, then
// pivots from the survivors.
#include <algorithm>
#include <cfloat>

#include "frontierkit/pareto.hpp"

namespace frontierkit::pareto::detail {

namespace {

// Monotone in every coordinate (clamping and rounded addition both are), never NaN.
double sum_key(const double* p, std::size_t d) {
    double s = 0.0;
    for (std::size_t k = 0; k < d; ++k) s += std::min(std::max(p[k], -DBL_MAX), DBL_MAX);
    return s;
}

std::vector<const double*> pick_pivots(const double* pts, const index_t* ids, std::size_t n,
                                       std::size_t stride, std::size_t d, std::size_t count) {
    std::vector<std::pair<double, index_t>> cand;
    for (std::size_t i = 0; i < n; i += stride) cand.push_back({sum_key(pts + ids[i] * d, d), ids[i]});
    count = std::min(count, cand.size());
    std::partial_sort(cand.begin(), cand.begin() + count, cand.end());
    std::vector<const double*> piv;
    for (std::size_t i = 0; i < count; ++i) piv.push_back(pts + cand[i].second * d);
    return piv;
}

void filter(const double* pts, std::size_t d, const std::vector<const double*>& piv,
            std::vector<index_t>& ids) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const double* p = pts + ids[i] * d;
        bool dominated = false;
        for (const double* v : piv)
            if (dominates(v, p, d)) {
                dominated = true;
                break;
            }
        ids[out] = ids[i];
        out += !dominated;
    }
    ids.resize(out);
}

}  // namespace

std::vector<index_t> pivot_prefilter(const double* pts, std::size_t n, std::size_t d) {
    std::vector<index_t> ids(n);
    for (std::size_t i = 0; i < n; ++i) ids[i] = static_cast<index_t>(i);
    const std::size_t count = d <= 2 ? 2 : (d == 3 ? 4 : 8);
    filter(pts, d, pick_pivots(pts, ids.data(), n, std::max<std::size_t>(1, n / 4096), d, count), ids);
    if (ids.size() > 64) filter(pts, d, pick_pivots(pts, ids.data(), ids.size(), 1, d, count), ids);
    return ids;
}

}  // namespace frontierkit::pareto::detail
