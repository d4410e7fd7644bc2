// Per-set logic of the batched CUDA hypervolume (d = 1, 2, 3), shared by the kernel (hv_batch.cu)
// and by a host replica in _core that runs the same steps on the CPU, so the logic is tested on
// machines without a GPU.
//
// One warp per set. The warp screens the set's rows (only rows that strictly dominate ref count;
// a counted row with -inf, or +inf in ref, makes the set's volume +inf) and compacts the counted
// rows, in input order, into a per-set slot (shared memory, or global scratch for large sets) as
// one array per objective. It then sorts a permutation by x (2-D) or z (3-D) with a bitonic
// network (ties broken by row, so the order is deterministic and the same on the host), and one
// lane sweeps: d = 2, the running minimum of y over x ascending; d = 3, the dimension sweep of
// Beume et al. (IEEE TEC 13(5), 2009) over z ascending with the (x, y) staircase held as a sorted
// array (cheap for the small sets this path is for: the staircase of n points is usually far
// smaller than n). Work per set O(n log^2 n / 32) for the sort, O(n * s) for the 3-D sweep with s
// the largest staircase; memory per set d doubles a row (5 in 3-D) and one int a row (padded to a
// power of two).
#pragma once

#include <cstdint>

#ifndef FK_HD
#if defined(__CUDACC__)
#define FK_HD __host__ __device__ __forceinline__
#else
#define FK_HD inline
#endif
#endif

namespace frontierkit::cuda {

FK_HD double hv_infinity() { return __builtin_huge_val(); }

// Smallest power of two >= m (1 for m <= 1): the length of the bitonic network.
FK_HD std::int64_t hv_pow2(std::int64_t m) {
    std::int64_t p = 1;
    while (p < m) p <<= 1;
    return p;
}

// Views into one set's working storage; cap is the most rows the set can count.
struct HvSlot {
    double* col[3];       // counted rows, one array per objective
    double* stair_x;      // 3-D staircase: x ascending, y strictly descending
    double* stair_y;
    std::int32_t* order;  // permutation sorted by hv_key_column, hv_pow2(cap) entries
};

// Bytes of a slot for cap rows, a multiple of 16 so that slots can be laid end to end. d = 1
// needs none: the volume is a minimum taken while screening.
FK_HD std::int64_t hv_slot_bytes(std::int64_t cap, int d) {
    if (d < 2) return 0;
    const std::int64_t doubles = cap * (d + (d == 3 ? 2 : 0));
    const std::int64_t bytes = doubles * 8 + hv_pow2(cap) * 4;
    return (bytes + 15) / 16 * 16;
}

// Doubles first and the ints after them, so every array is aligned for its type when `base` is
// 8-byte aligned.
FK_HD HvSlot hv_slot(unsigned char* base, std::int64_t cap, int d) {
    HvSlot s{};
    double* p = reinterpret_cast<double*>(base);
    for (int k = 0; k < d && k < 3; ++k) s.col[k] = p + k * cap;
    p += (d < 3 ? d : 3) * cap;
    if (d == 3) {
        s.stair_x = p;
        s.stair_y = p + cap;
        p += 2 * cap;
    }
    s.order = reinterpret_cast<std::int32_t*>(p);
    return s;
}

// Whether row p counts (strictly dominates ref); *unbounded is set when it counts and its box
// has an infinite side.
FK_HD bool hv_row_counts(const double* p, const double* ref, int d, bool* unbounded) {
    bool inside = true, inf = false;
    for (int k = 0; k < d; ++k) {
        inside = inside && p[k] < ref[k];
        inf = inf || p[k] == -hv_infinity() || ref[k] == hv_infinity();
    }
    *unbounded = inside && inf;
    return inside;
}

// The objective the rows are sorted by: the 2-D sweep runs over x, the 3-D sweep over z.
FK_HD int hv_key_column(int d) { return d == 3 ? 2 : 0; }

// Sort order of the network: (key, row) ascending; entries >= m pad the network to a power of
// two and go last.
FK_HD bool hv_before(const double* key, std::int32_t m, std::int32_t a, std::int32_t b) {
    if (a >= m || b >= m) return a < b;
    return key[a] < key[b] || (key[a] == key[b] && a < b);
}

// Compare-exchange number t (0 <= t < P / 2) of the bitonic stage (k, j) over order[0, P).
// Within a stage the pairs are disjoint, so the t can run in any order or at once.
FK_HD void hv_bitonic_exchange(std::int32_t* order, const double* key, std::int32_t m, std::int32_t k,
                               std::int32_t j, std::int32_t t) {
    const std::int32_t i = ((t & ~(j - 1)) << 1) | (t & (j - 1));
    const std::int32_t l = i + j;
    const bool ascending = (i & k) == 0;
    const std::int32_t a = order[i], b = order[l];
    // (row, key) pairs are all distinct, so "b before a" is the negation of "a before b".
    if (hv_before(key, m, b, a) == ascending) {
        order[i] = b;
        order[l] = a;
    }
}

// 2-D: rows in ascending x; each row below the lowest y so far adds the slab between the two.
// Rows of equal x may come in any order: the slabs they add sum to the same area.
FK_HD double hv2d_sweep(const double* x, const double* y, const std::int32_t* order, std::int32_t m,
                        const double* ref) {
    double vol = 0.0, low = ref[1];
    for (std::int32_t t = 0; t < m; ++t) {
        const std::int32_t i = order[t];
        if (y[i] < low) {
            vol += (ref[0] - x[i]) * (low - y[i]);
            low = y[i];
        }
    }
    return vol;
}

// 3-D: rows in ascending z; `area` is the area of the union of the (x, y) boxes seen so far,
// grown as each row enters the staircase (the steps it covers leave), and every slab between
// consecutive z values adds area x height. Rows of equal z may come in any order.
FK_HD double hv3d_sweep(const double* x, const double* y, const double* z, const std::int32_t* order,
                        std::int32_t m, const double* ref, double* sx, double* sy) {
    std::int32_t steps = 0;
    double area = 0.0, vol = 0.0;
    for (std::int32_t t = 0; t < m; ++t) {
        const std::int32_t i = order[t];
        const double px = x[i], py = y[i];
        std::int32_t lo = 0, hi = steps;  // first step with x > px
        while (lo < hi) {
            const std::int32_t mid = (lo + hi) / 2;
            if (sx[mid] > px)
                hi = mid;
            else
                lo = mid + 1;
        }
        const double y_prev = lo > 0 ? sy[lo - 1] : ref[1];
        if (y_prev > py) {
            // The steps the row covers: x >= px and y >= py, a run that starts at `first`.
            const std::int32_t first = lo > 0 && sx[lo - 1] == px ? lo - 1 : lo;
            std::int32_t last = first;
            double added = 0.0, left = px, height = y_prev - py;
            while (last < steps && sy[last] >= py) {
                added += (sx[last] - left) * height;
                left = sx[last];
                height = sy[last] - py;
                ++last;
            }
            added += ((last < steps ? sx[last] : ref[0]) - left) * height;
            area += added;
            // Replace steps [first, last) by the row: the tail moves by 1 - (last - first).
            const std::int32_t tail = steps - last, to = first + 1;
            if (to > last)
                for (std::int32_t e = tail - 1; e >= 0; --e) {
                    sx[to + e] = sx[last + e];
                    sy[to + e] = sy[last + e];
                }
            else if (to < last)
                for (std::int32_t e = 0; e < tail; ++e) {
                    sx[to + e] = sx[last + e];
                    sy[to + e] = sy[last + e];
                }
            sx[first] = px;
            sy[first] = py;
            steps = to + tail;
        }
        const double z_next = t + 1 < m ? z[order[t + 1]] : ref[2];
        if (z_next > z[i]) vol += area * (z_next - z[i]);
    }
    return vol;
}

}  // namespace frontierkit::cuda
