// Shared helpers for the frontierkit C++ core: no Python, no allocation policy.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

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
