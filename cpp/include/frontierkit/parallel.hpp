// Work sharing: a few std::threads (the calling thread among them) pulling indices from an
// atomic counter. Small jobs stay on the calling thread (threads cost more than they save).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "frontierkit/common.hpp"

namespace frontierkit {

// The number of threads a `threads` argument asks for: <= 0 means every core.
inline unsigned thread_count(int threads) {
    if (threads > 0) return static_cast<unsigned>(threads);
    return std::max(1u, std::thread::hardware_concurrency());
}

// body(worker) on t threads, the calling thread being worker 0.
template <class F>
void run_workers(unsigned t, F&& body) {
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < t; ++w) pool.emplace_back([&body, w] { body(w); });
    body(0u);
    for (auto& th : pool) th.join();
}

// body(i) for every i in [0, n), shared among up to thread_count(threads) threads. Indices are
// taken in chunks (about 64 per thread in all) so that many tiny items (a batch of small sets)
// do not make the threads fight over the counter's cache line.
template <class F>
void parallel_for(std::size_t n, int threads, F&& body) {
    const auto t = static_cast<unsigned>(std::min<std::size_t>(thread_count(threads), n));
    if (t <= 1) {
        for (std::size_t i = 0; i < n; ++i) body(i);
        return;
    }
    const std::size_t chunk = std::max<std::size_t>(1, n / (64 * std::size_t{t}));
    std::atomic<std::size_t> next{0};
    run_workers(t, [&](unsigned) {
        for (std::size_t a; (a = next.fetch_add(chunk)) < n;)
            for (std::size_t i = a, e = std::min(n, a + chunk); i < e; ++i) body(i);
    });
}

// Calls body(s) for every set s in [0, nsets); set s is rows offsets[s] .. offsets[s+1]-1.
// Threads start only when the batch holds at least `min_rows`.
template <class F>
void parallel_sets(std::size_t nsets, const index_t* offsets, int threads, std::size_t min_rows, F&& body) {
    const std::size_t total = static_cast<std::size_t>(offsets[nsets] - offsets[0]);
    parallel_for(nsets, total < min_rows ? 1 : threads, body);
}

}  // namespace frontierkit
