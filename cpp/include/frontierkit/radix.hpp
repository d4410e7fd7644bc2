// LSD radix sort of records by a 64-bit unsigned key (a member `key`), stable, 11-bit digits;
// a pass whose digit every key shares is skipped. Used by the lexicographic ordering and by the
// two-objective rank sweep.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace frontierkit {

template <class Item>
void radix_sort_by_key(std::vector<Item>& a) {
    constexpr int kBits = 11, kBuckets = 1 << kBits, kPasses = (64 + kBits - 1) / kBits;
    const std::size_t n = a.size();
    if (n < 2) return;
    std::vector<std::array<std::uint32_t, kBuckets>> hist(kPasses);
    for (auto& h : hist) h.fill(0);
    for (const Item& it : a)
        for (int p = 0; p < kPasses; ++p) ++hist[p][(it.key >> (p * kBits)) & (kBuckets - 1)];
    std::vector<Item> b(n);
    for (int p = 0; p < kPasses; ++p) {
        auto& h = hist[p];
        const int shift = p * kBits;
        if (h[(a[0].key >> shift) & (kBuckets - 1)] == n) continue;  // the pass changes nothing
        std::uint32_t sum = 0;
        for (auto& c : h) {
            const std::uint32_t t = c;
            c = sum;
            sum += t;
        }
        for (std::size_t i = 0; i < n; ++i) b[h[(a[i].key >> shift) & (kBuckets - 1)]++] = a[i];
        a.swap(b);
    }
}

}  // namespace frontierkit
