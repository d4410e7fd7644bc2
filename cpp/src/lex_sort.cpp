// Lexicographic ordering of rows: an LSD radix sort (radix.hpp) on the first objective's
// order-preserving key, with keys and 32-bit row numbers moved together; runs of equal first
// objective are then finished by a comparison sort. O(n) for distinct first objectives,
// O(n log n) worst case; O(n) extra memory.
#include <algorithm>

#include "frontierkit/common.hpp"
#include "frontierkit/radix.hpp"

namespace frontierkit {

namespace {

bool lex_less(const double* a, const double* b, std::size_t d) {
    for (std::size_t k = 0; k < d; ++k) {
        if (a[k] < b[k]) return true;
        if (a[k] > b[k]) return false;
    }
    return false;
}

#pragma pack(push, 4)
struct Item {
    std::uint64_t key;
    std::uint32_t row;
};
#pragma pack(pop)

}  // namespace

std::vector<index_t> lex_order(const double* pts, std::size_t n, std::size_t d) {
    std::vector<index_t> idx(n);
    auto full_less = [&](index_t a, index_t b) {
        const double* pa = pts + a * d;
        const double* pb = pts + b * d;
        if (lex_less(pa, pb, d)) return true;
        if (lex_less(pb, pa, d)) return false;
        return a < b;
    };
    if (n >= (std::size_t{1} << 32)) {
        for (std::size_t i = 0; i < n; ++i) idx[i] = static_cast<index_t>(i);
        std::sort(idx.begin(), idx.end(), full_less);
        return idx;
    }
    if (n < 256) {
        // Small sets (populations, batches): a comparison sort of (key, row) pairs, which
        // compares plain integers instead of following indices to the rows.
        std::vector<std::pair<std::uint64_t, std::uint32_t>> kv(n);
        for (std::size_t i = 0; i < n; ++i) kv[i] = {order_key(pts[i * d]), static_cast<std::uint32_t>(i)};
        std::sort(kv.begin(), kv.end());
        for (std::size_t i = 0; i < n; ++i) idx[i] = kv[i].second;
        if (d > 1) {
            std::size_t i = 0;
            while (i < n) {
                std::size_t j = i + 1;
                while (j < n && kv[j].first == kv[i].first) ++j;
                if (j - i > 1) std::sort(idx.begin() + i, idx.begin() + j, full_less);
                i = j;
            }
        }
        return idx;
    }
    std::vector<Item> a(n);
    for (std::size_t i = 0; i < n; ++i) a[i] = {order_key(pts[i * d]), static_cast<std::uint32_t>(i)};
    radix_sort_by_key(a);
    for (std::size_t i = 0; i < n; ++i) idx[i] = a[i].row;
    if (d > 1) {
        // Runs of equal first objective: order by the remaining objectives, then by index.
        std::size_t i = 0;
        while (i < n) {
            std::size_t j = i + 1;
            while (j < n && a[j].key == a[i].key) ++j;
            if (j - i > 1) std::sort(idx.begin() + i, idx.begin() + j, full_less);
            i = j;
        }
    }
    return idx;
}

}  // namespace frontierkit
