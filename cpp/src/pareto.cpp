// Driver for non-dominated sorting: orders rows lexicographically, folds identical rows into
// one, picks the algorithm for the dimension, maps results back, and batches over sets.
#include <algorithm>
#include <atomic>

#include "frontierkit/parallel.hpp"
#include "frontierkit/pareto.hpp"

namespace frontierkit::pareto {

// Threads pay off once a batch holds this many rows in all.
constexpr std::size_t kThreadRows = 20000;

namespace {

// Distinct rows in lexicographic order, and for every input row the index of its distinct row.
struct Distinct {
    std::vector<double> u;          // m x d
    std::vector<std::int32_t> rep;  // n: input row -> distinct row
    std::vector<std::uint8_t> first;  // n: 1 for the lowest-index row of each distinct value
    std::size_t m = 0;
};

Distinct fold_duplicates(const double* pts, const index_t* ids, std::size_t n, std::size_t d) {
    // ids maps local row j -> row of pts (identity when null).
    std::vector<double> local;
    const double* base = pts;
    if (ids) {
        local.resize(n * d);
        for (std::size_t j = 0; j < n; ++j)
            std::copy(pts + ids[j] * d, pts + ids[j] * d + d, local.begin() + j * d);
        base = local.data();
    }
    Distinct out;
    out.rep.resize(n);
    out.first.assign(n, 0);
    out.u.reserve(n * d);
    const std::vector<index_t> order = lex_order(base, n, d);
    const double* prev = nullptr;
    for (index_t j : order) {
        const double* row = base + j * d;
        if (!prev || !rows_equal(prev, row, d)) {
            out.u.insert(out.u.end(), row, row + d);
            out.first[j] = 1;
            ++out.m;
        }
        out.rep[j] = static_cast<std::int32_t>(out.m - 1);
        prev = row;
    }
    return out;
}

void front_of_distinct(const double* u, std::size_t m, std::size_t d, std::uint8_t* nd) {
    if (d == 1) {
        detail::front_1d(m, nd);
    } else if (d == 2) {
        detail::front_2d_sweep(u, m, nd);
    } else if (d == 3) {
        detail::front_3d(u, m, nd);
    } else {
        std::vector<std::int32_t> r(m);
        detail::ranks_jfb(u, m, d, r.data(), true);
        for (std::size_t i = 0; i < m; ++i) nd[i] = r[i] == 0;
    }
}

// Small sets (NSGA-II populations, batched calls): the quadratic loop over earlier rows beats
// any set-up cost. Rows are distinct and in lexicographic order, so "earlier and <= everywhere"
// is dominance.
void ranks_quadratic(const double* u, std::size_t m, std::size_t d, std::int32_t* r) {
    for (std::size_t j = 0; j < m; ++j) {
        std::int32_t best = 0;
        const double* pj = u + j * d;
        for (std::size_t i = 0; i < j; ++i) {
            if (r[i] < best) continue;  // cannot raise the rank further
            const double* pi = u + i * d;
            std::size_t k = 0;
            while (k < d && pi[k] <= pj[k]) ++k;
            if (k == d) best = r[i] + 1;
        }
        r[j] = best;
    }
}

// Ranks of distinct lexicographically ordered rows in d >= 4 objectives. When the fronts are
// wide (random data in many objectives has a few huge fronts), peeling them one at a time with
// the first-front algorithm (pivot pre-filter + divide and conquer in first-front mode) is much
// faster than ranking everything at once; as soon as a front removes less than 1/128 of what is
// left (many thin fronts, where peeling would turn quadratic), the rest is ranked by the full
// divide and conquer, offset by the number of fronts already peeled.
void ranks_peel_then_jfb(const double* u, std::size_t m, std::size_t d, std::int32_t* r) {
    std::vector<index_t> left(m);
    for (std::size_t i = 0; i < m; ++i) left[i] = static_cast<index_t>(i);
    std::vector<double> sub, cand;
    std::int32_t front = 0;
    std::size_t last_front = m;
    while (!left.empty()) {
        const std::size_t k = left.size();
        sub.resize(k * d);
        for (std::size_t j = 0; j < k; ++j) std::copy(u + left[j] * d, u + left[j] * d + d, sub.begin() + j * d);
        if (k < 2048 || last_front * 128 < k) {
            std::vector<std::int32_t> rr(k);
            detail::ranks_jfb(sub.data(), k, d, rr.data(), false);
            for (std::size_t j = 0; j < k; ++j) r[left[j]] = front + rr[j];
            return;
        }
        const std::vector<index_t> keep = detail::pivot_prefilter(sub.data(), k, d);
        cand.resize(keep.size() * d);
        for (std::size_t j = 0; j < keep.size(); ++j)
            std::copy(sub.begin() + keep[j] * d, sub.begin() + keep[j] * d + d, cand.begin() + j * d);
        std::vector<std::int32_t> dominated(keep.size());
        detail::ranks_jfb(cand.data(), keep.size(), d, dominated.data(), true);
        std::vector<std::uint8_t> in_front(k, 0);
        for (std::size_t j = 0; j < keep.size(); ++j) in_front[keep[j]] = dominated[j] == 0;
        std::vector<index_t> rest;
        last_front = 0;
        for (std::size_t j = 0; j < k; ++j) {
            if (in_front[j]) {
                r[left[j]] = front;
                ++last_front;
            } else {
                rest.push_back(left[j]);
            }
        }
        left.swap(rest);
        ++front;
    }
}

}  // namespace

void pareto_rank(const double* pts, std::size_t n, std::size_t d, std::int32_t* ranks) {
    if (n == 0) return;
    if (d == 2 && n < (std::size_t{1} << 32)) {
        detail::ranks_2d(pts, n, ranks);
        return;
    }
    Distinct q = fold_duplicates(pts, nullptr, n, d);
    std::vector<std::int32_t> r(q.m);
    if (d == 1)
        detail::ranks_1d(q.m, r.data());
    else if (q.m <= 64)
        ranks_quadratic(q.u.data(), q.m, d, r.data());
    else if (d >= 4)
        ranks_peel_then_jfb(q.u.data(), q.m, d, r.data());
    else if (d == 2 || !detail::ranks_3d_staircase(q.u.data(), q.m, r.data()))
        detail::ranks_jfb(q.u.data(), q.m, d, r.data(), false);
    for (std::size_t i = 0; i < n; ++i) ranks[i] = r[q.rep[i]];
}

namespace {

bool row_has_nan(const double* p, std::size_t d) {
    bool nan = false;
    for (std::size_t k = 0; k < d; ++k) nan |= p[k] != p[k];
    return nan;
}

}  // namespace

bool nondominated(const double* pts, std::size_t n, std::size_t d, bool keep_weakly, std::uint8_t* mask) {
    if (n == 0) return false;
    std::fill(mask, mask + n, 0);
    std::vector<index_t> ids;
    const bool filtered = d >= 2 && n >= 2048;
    if (filtered) {
        // A row with NaN is never dominated by a pivot, so it survives: screening the survivors
        // screens the input without a second pass over it.
        ids = detail::pivot_prefilter(pts, n, d);
        for (index_t i : ids)
            if (row_has_nan(pts + i * d, d)) return true;
    } else {
        for (std::size_t i = 0; i < n; ++i)
            if (row_has_nan(pts + i * d, d)) return true;
    }
    const std::size_t m0 = filtered ? ids.size() : n;
    Distinct q = fold_duplicates(pts, filtered ? ids.data() : nullptr, m0, d);
    std::vector<std::uint8_t> nd(q.m);
    front_of_distinct(q.u.data(), q.m, d, nd.data());
    for (std::size_t j = 0; j < m0; ++j) {
        const std::size_t row = filtered ? static_cast<std::size_t>(ids[j]) : j;
        mask[row] = nd[q.rep[j]] && (keep_weakly || q.first[j]);
    }
    return false;
}

void pareto_rank_sets(const double* pts, std::size_t d, const index_t* offsets, std::size_t nsets,
                      std::int32_t* ranks, int threads) {
    parallel_sets(nsets, offsets, threads, kThreadRows, [&](std::size_t s) {
        const index_t a = offsets[s], b = offsets[s + 1];
        pareto_rank(pts + a * d, static_cast<std::size_t>(b - a), d, ranks + a);
    });
}

bool nondominated_sets(const double* pts, std::size_t d, const index_t* offsets, std::size_t nsets,
                       bool keep_weakly, std::uint8_t* mask, int threads) {
    std::atomic<bool> nan{false};
    parallel_sets(nsets, offsets, threads, kThreadRows, [&](std::size_t s) {
        const index_t a = offsets[s], b = offsets[s + 1];
        if (nondominated(pts + a * d, static_cast<std::size_t>(b - a), d, keep_weakly, mask + a))
            nan.store(true, std::memory_order_relaxed);
    });
    return nan.load();
}

}  // namespace frontierkit::pareto
