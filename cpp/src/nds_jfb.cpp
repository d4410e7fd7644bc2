// Pareto ranks of distinct rows in d >= 2 objectives by the divide and conquer of
// Jensen ("Reducing the run-time complexity of multiobjective EAs", IEEE TEC 7(5), 2003), as
// generalised to ties by Fortin, Grenier & Parizeau ("Generalizing the improved run-time
// complexity algorithm for non-dominated sorting", GECCO 2013) and made O(n log^(d-1) n) by
// Buzdalov & Shalyto ("A provably asymptotically fast version of the generalized Jensen algorithm
// for non-dominated sorting", PPSN XIII, 2014).
//
// Rows arrive distinct and in lexicographic order, so objective 0 is the row order: a row can only
// be dominated by an earlier row. helper_a(S, k) ranks S against itself in objectives 1..k (all of
// S is equal in objectives above k); helper_b(L, H, k) raises the ranks of H from the final ranks
// of L (every row of L is <= every row of H above k). Both split at the median of objective k;
// objective 1 is a sweep with a prefix-maximum Fenwick tree over the ranks of objective 1 (one
// tree for the whole run, reset after each sweep). Small subproblems go to a quadratic loop.
// With first_front_only the ranks saturate at 1 and already-dominated rows are dropped early.
// Time O(n log^(d-1) n), memory O(n).
#include <algorithm>
#include <cstdint>

#include "frontierkit/pareto.hpp"

namespace frontierkit::pareto::detail {

namespace {

using Ids = std::vector<std::int32_t>;

// Portable SIMD through the GCC/Clang vector extensions: four doubles, and the 64-bit lane masks
// a comparison of them yields. Lowered to SSE2 pairs on baseline x86-64, to one AVX2 instruction
// in the AVX2 clone below, and to NEON pairs on ARM.
constexpr std::size_t kLanes = 4;
// They are views of plain double / int64 storage: alignment 8 (unaligned vector loads cost
// nothing on current CPUs) and may_alias.
typedef double VecD __attribute__((vector_size(32), aligned(8), may_alias));
typedef std::int64_t VecI __attribute__((vector_size(32), aligned(8), may_alias));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define FK_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FK_VECTOR_CLONES
#endif

class Jfb {
  public:
    Jfb(const double* u, std::size_t m, std::size_t d, std::int32_t* r, bool front_only)
        : u_(u), d_(d), m_(m), r_(r), front_only_(front_only), yrank_(m), byc_(m * d) {
        size_ = dense_ranks(u + 1, m, d, yrank_.data());
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t k = 0; k < d; ++k) byc_[k * m + i] = u[i * d + k];
        tree_.assign(size_ + 1, -1);
    }

    void run(std::size_t m) {
        Ids all(m);
        for (std::size_t i = 0; i < m; ++i) all[i] = static_cast<std::int32_t>(i);
        std::fill(r_, r_ + m, 0);
        helper_a(all, d_ - 1);
    }

  private:
    static constexpr std::size_t kBruteA = 24;
    static constexpr std::size_t kBruteB = 65536;

    // Objective k of row i from the column-major copy: the splits read one objective of many
    // rows, which stays in cache far better than strided reads of the rows.
    double x(std::int32_t i, std::size_t k) const { return byc_[k * m_ + static_cast<std::size_t>(i)]; }

    bool weakly_below(std::int32_t a, std::int32_t b, std::size_t k) const {
        const double* pa = u_ + static_cast<std::size_t>(a) * d_;
        const double* pb = u_ + static_cast<std::size_t>(b) * d_;
        for (std::size_t c = 1; c <= k; ++c)
            if (pa[c] > pb[c]) return false;
        return true;
    }

    void raise(std::int32_t h, std::int32_t from_rank) {
        std::int32_t v = from_rank + 1;
        if (front_only_) v = 1;
        if (v > r_[h]) r_[h] = v;
    }

    // Fenwick prefix maximum over ranks of objective 1.
    void tree_put(std::int32_t pos, std::int32_t v) {
        for (std::size_t k = pos + 1; k <= size_; k += k & (~k + 1))
            if (tree_[k] < v) tree_[k] = v;
    }
    void tree_clear(std::int32_t pos) {
        for (std::size_t k = pos + 1; k <= size_ && tree_[k] != -1; k += k & (~k + 1)) tree_[k] = -1;
    }
    std::int32_t tree_max(std::int32_t pos) const {
        std::int32_t best = -1;
        for (std::size_t k = pos + 1; k > 0; k -= k & (~k + 1)) best = std::max(best, tree_[k]);
        return best;
    }

    // The split value: the median of objective k over a and b, estimated from an evenly spaced
    // sample of 63 rows when there are many (any value taken by some row keeps the recursion
    // exact and shrinking; the sample only has to keep the halves balanced).
    double median(const Ids& a, const Ids& b, std::size_t k) {
        constexpr std::size_t kSample = 63;
        scratch_.clear();
        const std::size_t total = a.size() + b.size();
        if (total <= 2 * kSample) {
            for (auto i : a) scratch_.push_back(x(i, k));
            for (auto i : b) scratch_.push_back(x(i, k));
        } else {
            for (std::size_t t = 0; t < kSample; ++t) {
                const std::size_t j = t * total / kSample;
                scratch_.push_back(x(j < a.size() ? a[j] : b[j - a.size()], k));
            }
        }
        auto mid = scratch_.begin() + scratch_.size() / 2;
        std::nth_element(scratch_.begin(), mid, scratch_.end());
        return *mid;
    }

    // Rows of s below, at and above m in objective k, in row order. Branch-free: each row is
    // written to both the "below" and the "not below" list and only one count moves; the rows
    // equal to m (few on continuous data) are separated from the rest by a second pass only when
    // there are any.
    void split3(const Ids& s, std::size_t k, double m, Ids& lo, Ids& eq, Ids& hi) const {
        const std::size_t n = s.size();
        lo.resize(n);
        hi.resize(n);
        std::int32_t* pl = lo.data();
        std::int32_t* ph = hi.data();
        std::size_t nl = 0, nh = 0, ne = 0;
        const double* col = byc_.data() + k * m_;
        for (auto i : s) {
            const double v = col[i];
            const bool below = v < m;
            pl[nl] = i;
            ph[nh] = i;
            nl += below;
            nh += !below;
            ne += v == m;
        }
        lo.resize(nl);
        eq.clear();
        if (ne == 0) {
            hi.resize(nh);
            return;
        }
        eq.resize(nh);  // every row is written before the counts decide where it stays
        std::size_t e = 0, h = 0;
        for (std::size_t j = 0; j < nh; ++j) {
            const std::int32_t i = ph[j];
            const bool at = col[i] == m;
            eq[e] = i;
            ph[h] = i;
            e += at;
            h += !at;
        }
        eq.resize(e);
        hi.resize(h);
    }

    static Ids merge(const Ids& a, const Ids& b) {
        Ids out(a.size() + b.size());
        std::merge(a.begin(), a.end(), b.begin(), b.end(), out.begin());
        return out;
    }

    void sweep_a(const Ids& s) {
        for (auto i : s) {
            const std::int32_t best = tree_max(yrank_[i]);
            if (best >= 0) raise(i, best);
            tree_put(yrank_[i], r_[i]);
        }
        for (auto i : s) tree_clear(yrank_[i]);
    }

    void sweep_b(const Ids& lo, const Ids& hi) {
        std::size_t a = 0;
        for (auto h : hi) {
            while (a < lo.size() && lo[a] < h) {
                tree_put(yrank_[lo[a]], r_[lo[a]]);
                ++a;
            }
            const std::int32_t best = tree_max(yrank_[h]);
            if (best >= 0) raise(h, best);
        }
        for (std::size_t i = 0; i < a; ++i) tree_clear(yrank_[lo[i]]);
    }

    // All pairs of lo x hi in objectives 1..k. lo is transposed into columns (padded to whole
    // vectors; the padding lanes lie past the row limit and are ignored) so that testing one row
    // of hi against every earlier row of lo is a branch-free loop of vector compares; only the
    // rows of lo that pass every objective are looked at one by one.
    void brute_b(const Ids& lo, const Ids& hi, std::size_t k, std::int32_t max_lo) {
        const std::size_t nl = lo.size();
        const std::size_t nv = (nl + kLanes - 1) / kLanes;  // vectors per column
        cols_.resize(k * nv * kLanes);
        ok_.resize(nv * kLanes);
        double* cols = cols_.data();
        for (std::size_t j = 0; j < nl; ++j) {
            const double* p = u_ + static_cast<std::size_t>(lo[j]) * d_;
            for (std::size_t c = 1; c <= k; ++c) cols[(c - 1) * nv * kLanes + j] = p[c];
        }
        std::size_t limit = 0;  // rows of lo before h (both are in row order)
        for (auto h : hi) {
            while (limit < nl && lo[limit] < h) ++limit;
            if (limit == 0 || r_[h] > max_lo) continue;
            const double* ph = u_ + static_cast<std::size_t>(h) * d_;
            const std::size_t lv = (limit + kLanes - 1) / kLanes;
            compare_columns(ph, k, nv, lv);
            const VecI* ok = reinterpret_cast<const VecI*>(ok_.data());
            for (std::size_t v = 0; v < lv; ++v) {
                if (!any_lane(ok[v])) continue;
                for (std::size_t l = 0; l < kLanes; ++l) {
                    const std::size_t j = v * kLanes + l;
                    if (j < limit && ok[v][l]) raise(h, r_[lo[j]]);
                }
            }
        }
    }

    // ok_[v] = lanes of vector v whose rows are <= ph in objectives 1..k.
    FK_VECTOR_CLONES void compare_columns(const double* ph, std::size_t k, std::size_t nv, std::size_t lv) {
        const VecD* col = reinterpret_cast<const VecD*>(cols_.data());
        VecI* ok = reinterpret_cast<VecI*>(ok_.data());
        const VecD v1 = ph[1] - VecD{};
        for (std::size_t v = 0; v < lv; ++v) ok[v] = col[v] <= v1;
        for (std::size_t c = 2; c <= k; ++c) {
            const VecD* cc = col + (c - 1) * nv;
            const VecD vc = ph[c] - VecD{};
            for (std::size_t v = 0; v < lv; ++v) ok[v] &= cc[v] <= vc;
        }
    }

    static bool any_lane(const VecI& m) {
        std::int64_t acc = 0;
        for (std::size_t l = 0; l < kLanes; ++l) acc |= m[l];
        return acc != 0;
    }

    void helper_a(const Ids& s, std::size_t k) {
        if (s.size() < 2) return;
        if (s.size() <= kBruteA) {
            for (std::size_t j = 1; j < s.size(); ++j)
                for (std::size_t i = 0; i < j; ++i)
                    if (r_[s[i]] >= r_[s[j]] && weakly_below(s[i], s[j], k)) raise(s[j], r_[s[i]]);
            return;
        }
        if (k == 1) {
            sweep_a(s);
            return;
        }
        const double m = median(s, {}, k);
        Ids lo, eq, hi;
        split3(s, k, m, lo, eq, hi);
        if (eq.size() == s.size()) {
            helper_a(s, k - 1);
            return;
        }
        helper_a(lo, k);
        helper_b(lo, eq, k - 1);
        helper_a(eq, k - 1);
        Ids merged;
        helper_b(eq.empty() ? lo : (merged = merge(lo, eq)), hi, k - 1);
        helper_a(hi, k);
    }

    void helper_b(const Ids& lo_in, const Ids& hi_in, std::size_t k) {
        if (lo_in.empty() || hi_in.empty()) return;
        // Prune rows that cannot change anything: a row of hi already ranked above every row of
        // lo, and a row of lo whose rank + 1 is not above the lowest remaining rank of hi. In
        // first-front mode a dominated row of lo is redundant too: the non-dominated row that
        // dominates it dominates the same rows and is examined against them elsewhere.
        std::int32_t max_lo = -1;
        for (auto l : lo_in) max_lo = std::max(max_lo, r_[l]);
        auto keep_h = [&](std::int32_t h) { return front_only_ ? r_[h] == 0 : r_[h] <= max_lo; };
        std::size_t kept = 0;
        std::int32_t min_hi = INT32_MAX;
        for (auto h : hi_in)
            if (keep_h(h)) {
                ++kept;
                min_hi = std::min(min_hi, r_[h]);
            }
        if (kept == 0) return;
        Ids hi_buf, lo_buf;  // filled only when something is pruned
        if (kept < hi_in.size()) {
            hi_buf.reserve(kept);
            for (auto h : hi_in)
                if (keep_h(h)) hi_buf.push_back(h);
        }
        const Ids& hi = kept < hi_in.size() ? hi_buf : hi_in;
        auto keep_l = [&](std::int32_t l) { return front_only_ ? r_[l] == 0 : r_[l] >= min_hi; };
        kept = 0;
        for (auto l : lo_in) kept += keep_l(l);
        if (kept == 0) return;
        if (kept < lo_in.size()) {
            lo_buf.reserve(kept);
            for (auto l : lo_in)
                if (keep_l(l)) lo_buf.push_back(l);
        }
        const Ids& lo = kept < lo_in.size() ? lo_buf : lo_in;
        if (front_only_) max_lo = 0;  // every row left in lo is non-dominated so far
        // Only rows of lo that come before a row of hi can dominate it.
        if (lo.front() > hi.back()) return;
        if (lo.size() * hi.size() <= kBruteB || lo.size() == 1 || hi.size() == 1) {
            brute_b(lo, hi, k, max_lo);
            return;
        }
        if (k == 1) {
            sweep_b(lo, hi);
            return;
        }
        double lmin = x(lo[0], k), lmax = lmin, hmin = x(hi[0], k), hmax = hmin;
        for (auto i : lo) lmin = std::min(lmin, x(i, k)), lmax = std::max(lmax, x(i, k));
        for (auto i : hi) hmin = std::min(hmin, x(i, k)), hmax = std::max(hmax, x(i, k));
        if (lmax <= hmin) {
            helper_b(lo, hi, k - 1);
            return;
        }
        if (lmin > hmax) return;
        const double m = median(lo, hi, k);
        Ids llo, leq, lhi, hlo, heq, hhi;
        split3(lo, k, m, llo, leq, lhi);
        split3(hi, k, m, hlo, heq, hhi);
        helper_b(llo, hlo, k);
        Ids ml, mh;  // merged only when there are ties at the split value
        helper_b(leq.empty() ? llo : (ml = merge(llo, leq)), heq.empty() ? hhi : (mh = merge(heq, hhi)), k - 1);
        helper_b(lhi, hhi, k);
    }

    const double* u_;
    std::size_t d_;
    std::size_t m_;
    std::int32_t* r_;
    bool front_only_;
    std::vector<std::int32_t> yrank_;
    std::vector<std::int32_t> tree_;
    std::size_t size_ = 0;
    std::vector<double> scratch_;
    std::vector<double> byc_;  // u column-major: objective k of row i at k * m + i
    std::vector<double> cols_;     // brute_b: lo transposed, k columns of nv vectors
    std::vector<std::int64_t> ok_;  // brute_b: lane masks
};

}  // namespace

void ranks_jfb(const double* u, std::size_t m, std::size_t d, std::int32_t* r, bool first_front_only) {
    if (m == 0) return;
    Jfb jfb(u, m, d, r, first_front_only);
    jfb.run(m);
}

}  // namespace frontierkit::pareto::detail
