// Hypervolume in two and three objectives by sweeps.
//
// Both sweeps start with a distribution sort on one coordinate: each value goes to the bucket
// floor((v - lo) / (hi - lo) * nbuckets), which is monotone in v (every floating-point step is
// correctly rounded, hence monotone), so sorting the buckets one by one sorts the whole. With
// n / 2 buckets, smooth data leaves a couple of rows per bucket and the sort costs two passes
// over memory plus tiny insertion sorts; skewed data degrades to std::sort inside big buckets,
// so the worst case stays O(n log n).
//
// d = 2: rows by ascending first objective (fed to the sweep run by run, never stored whole); each row below the lowest second objective so far
// adds the slab between the two. O(n log n) worst case, O(n) expected for smooth data; O(n)
// memory.
//
// d = 3: the dimension sweep of Beume, Fonseca, Lopez-Ibanez, Paquete & Vahrenhold ("On the
// complexity of computing the hypervolume indicator", IEEE TEC 13(5), 2009), in the incremental
// form of Guerreiro & Fonseca's HV3D+ ("Computing and updating hypervolume contributions in up
// to four dimensions", IEEE TEC 22(3), 2018): rows in ascending third objective; the area of the
// union of their (x, y) boxes is kept up to date as each row enters a staircase (the (x, y)
// minima so far; rows it dominates in (x, y) leave it), and each slab between consecutive third
// objectives adds area x height. The staircase is a flat sorted array: a binary search finds the
// place and a block move makes room, which beats a tree by a wide margin while fronts stay short.
// A budget on the elements moved (16 n log2 n) guards against inputs whose staircase grows long;
// past it the sweep goes on with the staircase in a balanced tree. O(n log n) time, O(n) memory.
// Sets of at most 128 rows (batches of populations) take a heap-free variant (hv3d_small).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <numeric>

#include "frontierkit/hypervolume.hpp"

namespace frontierkit::hv::detail {

namespace {

struct Pt2 {
    double x, y;
};
struct Pt3 {
    double x, y, z;
};

template <class T, class K>
void insertion_sort(T* a, std::size_t n, K key) {
    for (std::size_t i = 1; i < n; ++i) {
        T v = a[i];
        const double kv = key(v);
        std::size_t j = i;
        for (; j > 0 && key(a[j - 1]) > kv; --j) a[j] = a[j - 1];
        a[j] = v;
    }
}

// Bottom-up merge sort of a[0..n) by key (stable; n <= 512), with merges whose only branch is the
// loop test: on random keys the comparisons of a small sort are coin flips, and mispredicted
// branches, not comparisons, are what std::sort spends its time on at this size.
template <class T, class K>
T* merge_sort_small(T* a, T* b, std::size_t n, K key) {
    constexpr std::size_t kRun = 8;
    for (std::size_t s = 0; s < n; s += kRun) insertion_sort(a + s, std::min(kRun, n - s), key);
    for (std::size_t w = kRun; w < n; w *= 2) {
        for (std::size_t s = 0; s < n; s += 2 * w) {
            const T* l = a + s;
            const T* le = a + std::min(n, s + w);
            const T* r = le;
            const T* re = a + std::min(n, s + 2 * w);
            T* out = b + s;
            while (l < le && r < re) {
                const bool take_r = key(*r) < key(*l);
                *out++ = take_r ? *r : *l;
                r += take_r;
                l += !take_r;
            }
            while (l < le) *out++ = *l++;
            while (r < re) *out++ = *r++;
        }
        std::swap(a, b);
    }
    return a;
}

// Calls visit(run, count) on consecutive runs that together hold the n rows load(0..n) in ascending
// key order (ties in any order); tmp and local are reused buffers.
// Two levels: a pass that scatters the rows into at most 2048 top buckets (few enough output
// streams for the caches to absorb the writes), then, for each top bucket while it is hot in
// cache, a counting sort on the finer bucket and insertion sorts of the tiny final buckets.
template <class T, class L, class K, class V>
void sorted_runs(L load, std::size_t n, K key, std::vector<T>& tmp, std::vector<T>& local, V visit) {
    auto by_key = [&](const T& p, const T& q) { return key(p) < key(q); };
    if (n == 0) return;
    if (n < 512) {  // small sets (batches, the base cases of WFG): no heap, no extra pass
        std::array<T, 512> buf, spare;
        for (std::size_t i = 0; i < n; ++i) buf[i] = load(i);
        visit(merge_sort_small(buf.data(), spare.data(), n, key), n);
        return;
    }
    double lo = key(load(0)), hi = lo;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = key(load(i));
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    // Halves keep hi - lo finite for any finite lo and hi.
    const double span = 0.5 * hi - 0.5 * lo;
    if (!(hi > lo) || !std::isfinite(1.0 / span)) {
        tmp.resize(n);
        for (std::size_t i = 0; i < n; ++i) tmp[i] = load(i);
        if (hi > lo) std::sort(tmp.begin(), tmp.end(), by_key);
        visit(tmp.data(), n);
        return;
    }
    // About two rows per fine bucket; 2^top_bits top buckets of 2^low_bits fine ones each.
    unsigned bits = 1;
    while ((std::size_t{1} << bits) < n / 2 && bits < 30) ++bits;
    const unsigned top_bits = std::min(bits, 11u), low_bits = bits - top_bits;
    const std::size_t nfine = std::size_t{1} << bits, ntop = std::size_t{1} << top_bits;
    const double scale = static_cast<double>(nfine) / span, half_lo = 0.5 * lo, cap = static_cast<double>(nfine - 1);
    auto fine = [&](const T& p) {
        return static_cast<std::uint32_t>(std::min((0.5 * key(p) - half_lo) * scale, cap));
    };
    std::vector<std::uint32_t> start(ntop + 1, 0);
    for (std::size_t i = 0; i < n; ++i) ++start[(fine(load(i)) >> low_bits) + 1];
    for (std::size_t b = 0; b < ntop; ++b) start[b + 1] += start[b];
    tmp.resize(n);
    {
        std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < n; ++i) {
            const T p = load(i);
            tmp[fill[fine(p) >> low_bits]++] = p;
        }
    }
    const std::size_t nlow = std::size_t{1} << low_bits, low_mask = nlow - 1;
    std::vector<std::uint32_t> cnt(nlow + 1);
    for (std::size_t b = 0; b < ntop; ++b) {
        T* run = tmp.data() + start[b];
        const std::size_t len = start[b + 1] - start[b];
        if (len < 24) {
            insertion_sort(run, len, key);
            visit(run, len);
            continue;
        }
        std::fill(cnt.begin(), cnt.end(), 0u);
        for (std::size_t i = 0; i < len; ++i) ++cnt[(fine(run[i]) & low_mask) + 1];
        for (std::size_t c = 0; c < nlow; ++c) cnt[c + 1] += cnt[c];
        local.resize(len);
        for (std::size_t i = 0; i < len; ++i) local[cnt[fine(run[i]) & low_mask]++] = run[i];
        // cnt[c] is now the end of fine bucket c.
        std::size_t s = 0;
        for (std::size_t c = 0; c < nlow; ++c) {
            const std::size_t e = cnt[c];
            if (e - s > 1) {
                if (e - s < 24)
                    insertion_sort(local.data() + s, e - s, key);
                else
                    std::sort(local.begin() + static_cast<std::ptrdiff_t>(s), local.begin() + static_cast<std::ptrdiff_t>(e), by_key);
            }
            s = e;
        }
        visit(local.data(), len);
    }
}

// Area of the staircase held as (x ascending, y strictly descending) steps; the 3-D sweeps keep it
// up to date incrementally. Both versions below do the same arithmetic in the same order, so the
// restart from one to the other changes no bit of the result.
struct FlatStair {
    std::vector<Pt2> s;
    std::size_t moved = 0;
};

}  // namespace

double hv2d(const double* rows, std::size_t m, const double* ref) {
    // Equal x may come in any order: a later row with equal x and lower y adds the slab below the
    // earlier one, which sums to the same area.
    std::vector<Pt2> tmp, local;
    double vol = 0.0, low = ref[1];
    sorted_runs([rows](std::size_t i) { return Pt2{rows[2 * i], rows[2 * i + 1]}; }, m,
                [](const Pt2& p) { return p.x; }, tmp, local, [&](const Pt2* run, std::size_t len) {
                    for (std::size_t i = 0; i < len; ++i)
                        if (run[i].y < low) {
                            vol += (ref[0] - run[i].x) * (low - run[i].y);
                            low = run[i].y;
                        }
                });
    return vol;
}

namespace {

// Adds (x, y) to a staircase and returns the area it adds; `Stair` is std::map<double, double>.
double stair_insert_tree(std::map<double, double>& stair, double x, double y, const double* ref) {
    auto after = stair.upper_bound(x);  // first step with key > x
    const bool has_prev = after != stair.begin();
    const double y_prev = has_prev ? std::prev(after)->second : ref[1];
    if (!(y_prev > y)) return 0.0;
    // Steps the new row covers: key >= x and y' >= y, a run starting at key >= x.
    auto first = has_prev && std::prev(after)->first == x ? std::prev(after) : after;
    auto last = first;
    double added = 0.0, left = x, height = y_prev - y;
    while (last != stair.end() && last->second >= y) {
        added += (last->first - left) * height;
        left = last->first;
        height = last->second - y;
        ++last;
    }
    const double right = last == stair.end() ? ref[0] : last->first;
    added += (right - left) * height;
    stair.erase(first, last);
    stair.emplace(x, y);
    return added;
}

// The same on a flat array; returns -1 when the move budget is spent (nothing changed then).
double stair_insert_flat(FlatStair& st, double x, double y, const double* ref, std::size_t budget) {
    std::vector<Pt2>& s = st.s;
    // First step with key > x.
    std::size_t after = static_cast<std::size_t>(
        std::upper_bound(s.begin(), s.end(), x, [](double v, const Pt2& q) { return v < q.x; }) - s.begin());
    const bool has_prev = after != 0;
    const double y_prev = has_prev ? s[after - 1].y : ref[1];
    if (!(y_prev > y)) return 0.0;
    const std::size_t first = has_prev && s[after - 1].x == x ? after - 1 : after;
    std::size_t last = first;
    double added = 0.0, left = x, height = y_prev - y;
    while (last < s.size() && s[last].y >= y) {
        added += (s[last].x - left) * height;
        left = s[last].x;
        height = s[last].y - y;
        ++last;
    }
    const double right = last == s.size() ? ref[0] : s[last].x;
    added += (right - left) * height;
    // Replace s[first, last) by the one new step.
    const std::size_t removed = last - first;
    if (removed == 0) {
        st.moved += s.size() - first;
        if (st.moved > budget) return -1.0;
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(first), Pt2{x, y});
    } else {
        s[first] = Pt2{x, y};
        if (removed > 1) {
            st.moved += s.size() - last;
            s.erase(s.begin() + static_cast<std::ptrdiff_t>(first + 1), s.begin() + static_cast<std::ptrdiff_t>(last));
        }
    }
    return added;
}

}  // namespace

// Rows (m x 3) that none of four pivots (the rows of smallest coordinate sum) strictly dominates,
// copied to the buffer out_for(m) returns (3 m doubles, asked for only when the screen runs);
// returns how many, or m without asking when a probe finds the screen would not pay (on a front
// nothing goes): first, whether among eight rows spread over the input the one of smallest sum
// dominates another (no pass over the input), then, whether the best pivot dominates one of them.
// On scattered data the pivots remove most rows before the sort, which is what a 3-D
// hypervolume of a small random set spends its time on.
template <class Buffer>
std::size_t pivot_screen(const double* rows, std::size_t m, Buffer out_for) {
    constexpr int kPivots = 4;
    auto dominates3 = [rows](std::size_t a, std::size_t b) {
        const double* p = rows + 3 * a;
        const double* q = rows + 3 * b;
        return (p[0] <= q[0]) & (p[1] <= q[1]) & (p[2] <= q[2]) & ((p[0] < q[0]) | (p[1] < q[1]) | (p[2] < q[2]));
    };
    {
        std::size_t best = 0;
        double best_sum = HUGE_VAL;
        for (std::size_t t = 0; t < 8; ++t) {
            const std::size_t i = t * m / 8;
            const double si = rows[3 * i] + rows[3 * i + 1] + rows[3 * i + 2];
            if (si < best_sum) best_sum = si, best = i;
        }
        bool any = false;
        for (std::size_t t = 0; t < 8; ++t) any |= dominates3(best, t * m / 8);
        if (!any) return m;
    }
    double sum[kPivots] = {};
    std::size_t piv[kPivots] = {};
    int np = 0;
    for (std::size_t i = 0; i < m; ++i) {
        const double si = rows[3 * i] + rows[3 * i + 1] + rows[3 * i + 2];
        if (np == kPivots && !(si < sum[kPivots - 1])) continue;
        int j = np < kPivots ? np++ : kPivots - 1;
        for (; j > 0 && sum[j - 1] > si; --j) sum[j] = sum[j - 1], piv[j] = piv[j - 1];
        sum[j] = si;
        piv[j] = i;
    }
    double px[kPivots], py[kPivots], pz[kPivots];
    for (int k = 0; k < kPivots; ++k) {
        const std::size_t r = piv[k < np ? k : 0];
        px[k] = rows[3 * r], py[k] = rows[3 * r + 1], pz[k] = rows[3 * r + 2];
    }
    bool worth = false;
    for (std::size_t t = 0; t < 8; ++t) worth |= dominates3(piv[0], t * m / 8);
    if (!worth) return m;
    double* out = out_for(m);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < m; ++i) {
        const double x = rows[3 * i], y = rows[3 * i + 1], z = rows[3 * i + 2];
        bool dominated = false;
        for (int k = 0; k < kPivots; ++k)
            dominated |= (px[k] <= x) & (py[k] <= y) & (pz[k] <= z) & ((px[k] < x) | (py[k] < y) | (pz[k] < z));
        out[3 * kept] = x, out[3 * kept + 1] = y, out[3 * kept + 2] = z;
        kept += !dominated;
    }
    return kept;
}

namespace {

// Small sets (a batch of populations): at most kSmall rows, no heap. The rows are put in
// ascending z by one pass of the monotone bucketing of sorted_runs (kSmall buckets) and one
// insertion sort over the nearly sorted whole. The staircase is kept as two arrays, x ascending
// and y strictly descending, so that the place of a new row (the steps with x <= its x) and the
// end of the run it covers (the steps with y >= its y, a prefix) are counts: independent vector
// compares (count_le, count_ge), where a binary search over a few steps is a chain of
// mispredicted branches. The arithmetic is that of stair_insert_flat, in the same order.
constexpr std::size_t kSmall = 128;

// sorted[0..m) = the m <= kSmall rows in ascending z. Skewed values crowd one bucket and leave
// the insertion sort O(m^2) moves, bounded by kSmall^2.
void sort_small_by_z(const double* rows, std::size_t m, Pt3* sorted) {
    auto z_of = [](const Pt3& p) { return p.z; };
    double lo = rows[2], hi = lo;
    for (std::size_t i = 1; i < m; ++i) {
        lo = std::min(lo, rows[3 * i + 2]);
        hi = std::max(hi, rows[3 * i + 2]);
    }
    const double span = 0.5 * hi - 0.5 * lo;
    if (!(hi > lo) || !std::isfinite(1.0 / span)) {  // one value, or a span too small to scale by
        for (std::size_t i = 0; i < m; ++i) sorted[i] = Pt3{rows[3 * i], rows[3 * i + 1], rows[3 * i + 2]};
        insertion_sort(sorted, m, z_of);
        return;
    }
    const double scale = static_cast<double>(kSmall) / span, half_lo = 0.5 * lo, cap = kSmall - 1;
    std::uint8_t bucket[kSmall];
    std::uint32_t start[kSmall + 1] = {};
    for (std::size_t i = 0; i < m; ++i) {
        bucket[i] = static_cast<std::uint8_t>(std::min((0.5 * rows[3 * i + 2] - half_lo) * scale, cap));
        ++start[bucket[i] + 1];
    }
    for (std::size_t b = 0; b < kSmall; ++b) start[b + 1] += start[b];
    for (std::size_t i = 0; i < m; ++i) sorted[start[bucket[i]]++] = Pt3{rows[3 * i], rows[3 * i + 1], rows[3 * i + 2]};
    insertion_sort(sorted, m, z_of);
}

double hv3d_small(const double* rows, std::size_t m, const double* ref) {
    Pt3 sorted[kSmall];
    sort_small_by_z(rows, m, sorted);
    double xs[kSmall], ys[kSmall];  // the staircase: steps [0, size)
    std::size_t size = 0;
    double area = 0.0, vol = 0.0, z_prev = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
        const Pt3 q = sorted[i];
        if (q.z > z_prev) vol += area * (q.z - z_prev);
        z_prev = q.z;
        const std::size_t after = count_le(xs, size, q.x);
        const double y_prev = after != 0 ? ys[after - 1] : ref[1];
        if (!(y_prev > q.y)) continue;
        const std::size_t cover_end = count_ge(ys, size, q.y);
        const std::size_t first = after != 0 && xs[after - 1] == q.x ? after - 1 : after;
        const std::size_t last = std::max(first, cover_end);
        double added = 0.0, left = q.x, height = y_prev - q.y;
        for (std::size_t j = first; j < last; ++j) {
            added += (xs[j] - left) * height;
            left = xs[j];
            height = ys[j] - q.y;
        }
        const double right = last == size ? ref[0] : xs[last];
        added += (right - left) * height;
        area += added;
        // Replace steps [first, last) by the new one.
        if (last == first) {
            for (std::size_t j = size; j > first; --j) xs[j] = xs[j - 1], ys[j] = ys[j - 1];
            ++size;
        } else if (last > first + 1) {
            const std::size_t gone = last - first - 1;
            for (std::size_t j = first + 1; j + gone < size; ++j) xs[j] = xs[j + gone], ys[j] = ys[j + gone];
            size -= gone;
        }
        xs[first] = q.x;
        ys[first] = q.y;
    }
    return vol + area * (ref[2] - z_prev);
}

}  // namespace

double hv3d(const double* rows, std::size_t m, const double* ref) {
    std::array<double, 3 * 512> small;
    std::unique_ptr<double[]> large;  // uninitialised, and only when the screen runs
    double* screened = small.data();
    const std::size_t kept = pivot_screen(rows, m, [&](std::size_t n) {
        if (n > 512) {
            large.reset(new double[3 * n]);
            screened = large.get();
        }
        return screened;
    });
    if (kept < m) {
        m = kept;
        rows = screened;
    }
    if (m <= kSmall) return hv3d_small(rows, m, ref);
    const std::size_t budget = 16 * m * (1 + static_cast<std::size_t>(std::log2(static_cast<double>(m) + 1)));
    // Batches call this many times per thread: keep a small staircase buffer between calls.
    thread_local std::vector<Pt2> spare;
    FlatStair flat;
    flat.s.swap(spare);
    flat.s.clear();
    std::map<double, double> tree;
    bool in_tree = false;
    double area = 0.0, vol = 0.0, z_prev = 0.0;
    std::vector<Pt3> tmp, local;
    sorted_runs([rows](std::size_t i) { return Pt3{rows[3 * i], rows[3 * i + 1], rows[3 * i + 2]}; }, m,
                [](const Pt3& p) { return p.z; }, tmp, local, [&](const Pt3* run, std::size_t len) {
                    for (std::size_t i = 0; i < len; ++i) {
                        const Pt3 q = run[i];
                        // The slab below this row's z holds the area of every row before it.
                        if (q.z > z_prev) vol += area * (q.z - z_prev);
                        z_prev = q.z;
                        if (!in_tree) {
                            const double added = stair_insert_flat(flat, q.x, q.y, ref, budget);
                            if (added >= 0.0) {
                                area += added;
                                continue;
                            }
                            // Budget spent: the same staircase goes on in a tree.
                            for (const Pt2& s : flat.s) tree.emplace_hint(tree.end(), s.x, s.y);
                            flat.s = {};
                            in_tree = true;
                        }
                        area += stair_insert_tree(tree, q.x, q.y, ref);
                    }
                });
    if (flat.s.capacity() <= 4096) spare.swap(flat.s);
    return vol + area * (ref[2] - z_prev);
}

}  // namespace frontierkit::hv::detail
