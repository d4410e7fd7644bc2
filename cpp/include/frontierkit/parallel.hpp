// Work sharing over the sets of a batch: one std::thread per core pulling set indices from an
// atomic counter. Small batches stay on the calling thread (threads cost more than they save).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "frontierkit/common.hpp"

namespace frontierkit {

// Calls body(s) for every set s in [0, nsets); set s is rows offsets[s] .. offsets[s+1]-1.
// `threads` <= 0 uses every core; threads start only when the batch holds at least `min_rows`.
template <class F>
void parallel_sets(std::size_t nsets, const index_t* offsets, int threads, std::size_t min_rows, F&& body) {
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    unsigned t = threads <= 0 ? hw : static_cast<unsigned>(threads);
    const std::size_t total = static_cast<std::size_t>(offsets[nsets] - offsets[0]);
    if (t <= 1 || nsets < 2 || total < min_rows) {
        for (std::size_t s = 0; s < nsets; ++s) body(s);
        return;
    }
    t = std::min<unsigned>(t, static_cast<unsigned>(nsets));
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> pool;
    for (unsigned w = 0; w < t; ++w)
        pool.emplace_back([&] {
            for (std::size_t s; (s = next.fetch_add(1)) < nsets;) body(s);
        });
    for (auto& th : pool) th.join();
}

}  // namespace frontierkit
