// Shared helpers for the frontierkit C++ core: no Python, no allocation policy.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace frontierkit {

using index_t = std::int64_t;

// Does row `a` Pareto-dominate row `b` (minimisation): a <= b everywhere and a < b somewhere.
inline bool dominates(const double* a, const double* b, std::size_t d) noexcept {
    bool strict = false;
    for (std::size_t k = 0; k < d; ++k) {
        if (a[k] > b[k]) return false;
        strict |= a[k] < b[k];
    }
    return strict;
}

// Does row `a` weakly dominate row `b`: a <= b everywhere (equal rows included).
inline bool weakly_dominates(const double* a, const double* b, std::size_t d) noexcept {
    for (std::size_t k = 0; k < d; ++k)
        if (a[k] > b[k]) return false;
    return true;
}

inline bool rows_equal(const double* a, const double* b, std::size_t d) noexcept {
    for (std::size_t k = 0; k < d; ++k)
        if (!(a[k] == b[k])) return false;
    return true;
}

// How many of a[0..n) are <= y (count_le) or >= y (count_ge): the searches of short sorted
// arrays, where independent compares beat a binary search's chain of dependent loads. Compilers
// do not vectorise these counts for the x86-64 baseline (SSE2 has no direct path from a double
// compare to a 64-bit sum), so they are written out: each compare gives all-ones (-1) lanes,
// subtracted from two running counts.
template <bool kLessEqual>
std::size_t count_compare(const double* a, std::size_t n, double y) noexcept {
    std::size_t j = 0, c = 0;
#if defined(__SSE2__)
    const __m128d vy = _mm_set1_pd(y);
    auto hit = [&](std::size_t at) {
        const __m128d v = _mm_loadu_pd(a + at);
        return _mm_castpd_si128(kLessEqual ? _mm_cmple_pd(v, vy) : _mm_cmpge_pd(v, vy));
    };
    __m128i acc0 = _mm_setzero_si128(), acc1 = _mm_setzero_si128();
    for (; j + 4 <= n; j += 4) {
        acc0 = _mm_sub_epi64(acc0, hit(j));
        acc1 = _mm_sub_epi64(acc1, hit(j + 2));
    }
    alignas(16) std::uint64_t lanes[2];
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes), _mm_add_epi64(acc0, acc1));
    c = static_cast<std::size_t>(lanes[0] + lanes[1]);
#endif
    for (; j < n; ++j) c += kLessEqual ? a[j] <= y : a[j] >= y;
    return c;
}

inline std::size_t count_le(const double* a, std::size_t n, double y) noexcept { return count_compare<true>(a, n, y); }
inline std::size_t count_ge(const double* a, std::size_t n, double y) noexcept { return count_compare<false>(a, n, y); }

// Map a double to an unsigned key with the same order (-0.0 and +0.0 map to one key), so that
// radix sorting the keys sorts the doubles. NaN never reaches the kernels (Python rejects it).
inline std::uint64_t order_key(double x) noexcept {
    x += 0.0;  // -0.0 + 0.0 == +0.0: equal values must get equal keys
    std::uint64_t u;
    std::memcpy(&u, &x, sizeof u);
    return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

// Indices 0..n-1 in lexicographic order of the rows (ties kept in index order, so the first of a
// run of identical rows is the one with the lowest index).
std::vector<index_t> lex_order(const double* pts, std::size_t n, std::size_t d);

}  // namespace frontierkit
