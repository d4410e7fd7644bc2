// Lexicographic ordering of rows: an LSD radix sort (11-bit digits) on the first objective's
// order-preserving key, then runs of equal first objective are finished by a comparison sort.
// O(n) for distinct first objectives, O(n log n) worst case; O(n) extra memory.
#include <algorithm>
#include <array>

#include "frontierkit/common.hpp"

namespace frontierkit {

namespace {

bool lex_less(const double* a, const double* b, std::size_t d) {
    for (std::size_t k = 0; k < d; ++k) {
        if (a[k] < b[k]) return true;
        if (a[k] > b[k]) return false;
    }
    return false;
}

}  // namespace

std::vector<index_t> lex_order(const double* pts, std::size_t n, std::size_t d) {
    std::vector<index_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = static_cast<index_t>(i);
    auto full_less = [&](index_t a, index_t b) {
        const double* pa = pts + a * d;
        const double* pb = pts + b * d;
        if (lex_less(pa, pb, d)) return true;
        if (lex_less(pb, pa, d)) return false;
        return a < b;
    };
    if (n < 512) {
        std::sort(idx.begin(), idx.end(), full_less);
        return idx;
    }
    constexpr int kBits = 11, kBuckets = 1 << kBits, kPasses = (64 + kBits - 1) / kBits;
    std::vector<std::uint64_t> key(n), key2(n);
    for (std::size_t i = 0; i < n; ++i) key[i] = order_key(pts[i * d]);
    std::vector<std::array<std::uint32_t, kBuckets>> hist(kPasses);
    for (auto& h : hist) h.fill(0);
    for (std::size_t i = 0; i < n; ++i)
        for (int p = 0; p < kPasses; ++p) ++hist[p][(key[i] >> (p * kBits)) & (kBuckets - 1)];
    std::vector<index_t> idx2(n);
    for (int p = 0; p < kPasses; ++p) {
        auto& h = hist[p];
        // A digit shared by every key leaves the order unchanged: skip the pass.
        if (*std::max_element(h.begin(), h.end()) == n) continue;
        std::uint32_t sum = 0;
        for (auto& c : h) {
            std::uint32_t t = c;
            c = sum;
            sum += t;
        }
        const int shift = p * kBits;
        for (std::size_t i = 0; i < n; ++i) {
            std::uint32_t pos = h[(key[i] >> shift) & (kBuckets - 1)]++;
            key2[pos] = key[i];
            idx2[pos] = idx[i];
        }
        key.swap(key2);
        idx.swap(idx2);
    }
    if (d > 1) {
        // Runs of equal first objective: order by the remaining objectives, then by index.
        std::size_t i = 0;
        while (i < n) {
            std::size_t j = i + 1;
            while (j < n && key[j] == key[i]) ++j;
            if (j - i > 1) std::sort(idx.begin() + i, idx.begin() + j, full_less);
            i = j;
        }
    }
    return idx;
}

}  // namespace frontierkit
