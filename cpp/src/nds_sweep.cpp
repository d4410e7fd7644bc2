// Sweep algorithms for non-dominated sorting of distinct rows in lexicographic order.
//
// d = 1, 2: after the lexicographic sort a row can be dominated only by an earlier row, and an
// earlier distinct row dominates it iff its second objective is <= (Kung, Luccio & Preparata,
// "On finding the maxima of a set of vectors", J. ACM 22(4), 1975). First front: running minimum,
// O(n). All ranks: the minimum of each front so far is non-decreasing in the front index, so a
// row's rank is the number of those minima <= its second objective (Jensen, "Reducing the
// run-time complexity of multiobjective EAs: the NSGA-II and other algorithms", IEEE TEC 7(5),
// 2003), counted in two levels of vectorised compares (see FrontMinima), O(n log n).
//
// d = 3, first front: the same sweep holding the first front's staircase in objectives 1 and 2
// (below) in blocks of at most 128 steps with a list of block heads, a two-level B+-tree: each
// row is a search and a move of at most one block, O(n log n) with small constants even when the
// staircase grows long (fronts on a sphere).
//
// d = 3, all ranks: the efficient non-dominated sort with binary search over fronts (Zhang, Tian,
// Cheng & Jin, "An efficient approach to non-dominated sorting for evolutionary multiobjective
// optimization", IEEE TEC 19(2), 2015) with each front held as its staircase in objectives 1 and
// 2: the rows of the front whose (y, z) no other row of the front weakly dominates, y ascending
// and z descending, in a flat array. Whether a front dominates a row is one binary search (the
// staircase step at or left of the row's y), and a row dominated by front k is dominated by every
// front before it, so its rank is a binary search over the fronts: O(log F log n) per row. Adding
// a row erases the steps it covers and inserts one, a move of the steps to its right; the moves
// are counted and the sweep gives up past O(n log n) of them (adversarial staircases), leaving
// the rows to the divide and conquer.
#include <algorithm>
#include <limits>

#include "frontierkit/pareto.hpp"
#include "frontierkit/radix.hpp"

namespace frontierkit::pareto::detail {

void ranks_1d(std::size_t m, std::int32_t* r) {
    for (std::size_t i = 0; i < m; ++i) r[i] = static_cast<std::int32_t>(i);
}

void front_1d(std::size_t m, std::uint8_t* nd) {
    for (std::size_t i = 0; i < m; ++i) nd[i] = i == 0;
}

void front_2d_sweep(const double* u, std::size_t m, std::uint8_t* nd) {
    // NaN start value: "nothing seen yet" compares false with everything, +inf included.
    double best = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < m; ++i) {
        const double y = u[2 * i + 1];
        nd[i] = !(best <= y);
        if (!(best <= y)) best = y;
    }
}

namespace {

// Index of the first a[i] > y in the ascending a[0..n), without data-dependent branches (the
// compare selects the next base), so random queries cost no mispredictions.
std::size_t upper_index(const double* a, std::size_t n, double y) {
    if (n == 0) return 0;
    const double* base = a;
    while (n > 1) {
        const std::size_t half = n / 2;
        base = base[half - 1] <= y ? base + half : base;
        n -= half;
    }
    return static_cast<std::size_t>(base - a) + (*base <= y);
}

// The smallest second objective of each front so far, front_min[k], ascending in k. A row's
// front is the count of entries <= its second objective, counted in two levels: first in
// `every`, which holds front_min[kBlock * j], then inside the one block that count points to.
// Both counts are independent vector compares (count_le), instead of a chain of dependent loads;
// past kLinear blocks (thousands of fronts) the first level becomes a binary search.
class FrontMinima {
  public:
    // Front of a row whose second objective is y (every earlier row precedes it
    // lexicographically and differs from it), and record it.
    std::int32_t place(double y) {
        const std::size_t nb = every_.size();
        std::size_t c = 0;
        if (nb > kLinear) {
            c = upper_index(every_.data(), nb, y);
        } else {
            c = count_le(every_.data(), nb, y);
        }
        std::size_t k = 0;
        if (c != 0) {
            const std::size_t lo = (c - 1) * kBlock, hi = std::min(min_.size(), lo + kBlock);
            k = lo + count_le(min_.data() + lo, hi - lo, y);
        }
        if (k == min_.size()) {
            if (k % kBlock == 0) every_.push_back(y);
            min_.push_back(y);
        } else {
            min_[k] = y;
            if (k % kBlock == 0) every_[k / kBlock] = y;
        }
        return static_cast<std::int32_t>(k);
    }

  private:
    static constexpr std::size_t kBlock = 32, kLinear = 64;
    std::vector<double> min_, every_;
};

#pragma pack(push, 4)
struct XYRow {
    std::uint64_t key;  // order_key of the first objective
    double y;
    std::uint32_t row;
};
#pragma pack(pop)

}  // namespace

void ranks_2d(const double* pts, std::size_t n, std::int32_t* ranks) {
    // Rows are sorted with their second objective and row number carried along, so the sweep
    // reads them in order and writes each rank once: no copy of the distinct rows, no gather.
    std::vector<XYRow> a(n);
    for (std::size_t i = 0; i < n; ++i) a[i] = {order_key(pts[2 * i]), pts[2 * i + 1], static_cast<std::uint32_t>(i)};
    auto by_y = [](const XYRow& p, const XYRow& q) { return p.y < q.y; };
    if (n < 256) {
        std::sort(a.begin(), a.end(), [](const XYRow& p, const XYRow& q) {
            return p.key < q.key || (p.key == q.key && p.y < q.y);
        });
    } else {
        radix_sort_by_key(a);
        for (std::size_t i = 0; i < n;) {
            std::size_t j = i + 1;
            while (j < n && a[j].key == a[i].key) ++j;
            if (j - i > 1) std::sort(a.begin() + i, a.begin() + j, by_y);
            i = j;
        }
    }
    FrontMinima fronts;
    std::int32_t last = 0;
    for (std::size_t i = 0; i < n; ++i) {
        // A copy of the previous row shares its rank (and must not count as its dominator).
        if (i == 0 || a[i].key != a[i - 1].key || !(a[i].y == a[i - 1].y)) last = fronts.place(a[i].y);
        ranks[a[i].row] = last;
    }
}

std::size_t dense_ranks(const double* v, std::size_t m, std::size_t stride, std::int32_t* out) {
    std::vector<std::pair<std::uint64_t, std::int32_t>> kv(m);
    for (std::size_t i = 0; i < m; ++i)
        kv[i] = {order_key(v[i * stride]), static_cast<std::int32_t>(i)};
    std::sort(kv.begin(), kv.end());
    std::int32_t rank = -1;
    for (std::size_t i = 0; i < m; ++i) {
        if (i == 0 || kv[i].first != kv[i - 1].first) ++rank;
        out[kv[i].second] = rank;
    }
    return static_cast<std::size_t>(rank + 1);
}

namespace {

// The sweep behind ranks_3d_staircase.
bool staircase_sweep(const double* u, std::size_t m, std::int32_t* r) {
    struct Step {
        double y, z;
    };
    std::vector<std::vector<Step>> fronts;
    std::size_t log2m = 1;
    while ((std::size_t{1} << log2m) < m) ++log2m;
    const std::size_t budget = 16 * m * log2m + 4096;
    std::size_t moved = 0;
    auto covers = [](const std::vector<Step>& f, double y, double z) {
        // The last step with step.y <= y has the smallest z of all steps left of y.
        auto it = std::upper_bound(f.begin(), f.end(), y, [](double v, const Step& s) { return v < s.y; });
        return it != f.begin() && (it - 1)->z <= z;
    };
    for (std::size_t i = 0; i < m; ++i) {
        const double y = u[3 * i + 1], z = u[3 * i + 2];
        std::size_t lo = 0, hi = fronts.size();
        while (lo < hi) {
            const std::size_t mid = (lo + hi) / 2;
            if (covers(fronts[mid], y, z))
                lo = mid + 1;
            else
                hi = mid;
        }
        r[i] = static_cast<std::int32_t>(lo);
        if (lo == fronts.size()) {
            fronts.push_back({{y, z}});
            continue;
        }
        std::vector<Step>& f = fronts[lo];
        // Steps with step.y >= y and step.z >= z are covered by the new row: a run starting at
        // the first step with step.y >= y (z descends along the staircase).
        auto first = std::lower_bound(f.begin(), f.end(), y, [](const Step& s, double v) { return s.y < v; });
        auto last = first;
        while (last != f.end() && last->z >= z) ++last;
        moved += static_cast<std::size_t>(f.end() - last);
        if (moved > budget) return false;
        if (first == last) {
            f.insert(first, Step{y, z});
        } else {
            *first = Step{y, z};
            f.erase(first + 1, last);
        }
    }
    return true;
}

}  // namespace

bool ranks_3d_staircase(const double* u, std::size_t m, std::int32_t* r) {
    return staircase_sweep(u, m, r);
}

namespace {

// The first front's staircase in blocks: steps (y ascending, z descending) cut into blocks of at
// most 2 * kBlock steps, with the first y of every block in `head_` for the search. A new row
// moves at most one block's steps (plus, rarely, the block list when a block splits or whole
// blocks are covered), so fronts whose staircase grows long (points on a sphere) cost
// O(log n + kBlock) per row instead of a move of the whole staircase.
class BlockedStaircase {
  public:
    // Whether a step weakly dominates (y, z); if not, the step is added and the steps it covers
    // are removed.
    bool cover_or_add(double y, double z) {
        if (blocks_.empty()) {
            blocks_.push_back({{y, z}});
            head_.push_back(y);
            return false;
        }
        // Block b: the last whose head is <= y (block 0 when y is left of everything).
        std::size_t b = static_cast<std::size_t>(std::upper_bound(head_.begin(), head_.end(), y) - head_.begin());
        b = b == 0 ? 0 : b - 1;
        std::vector<Step>& blk = blocks_[b];
        auto at = std::upper_bound(blk.begin(), blk.end(), y, [](double v, const Step& s) { return v < s.y; });
        if (at != blk.begin() && (at - 1)->z <= z) return true;
        // Insert at the first step with step.y >= y and drop the run after it with step.z >= z.
        auto first = std::lower_bound(blk.begin(), at, y, [](const Step& s, double v) { return s.y < v; });
        auto last = first;
        while (last != blk.end() && last->z >= z) ++last;
        const bool to_end = last == blk.end();
        if (first == last) {
            blk.insert(first, Step{y, z});
        } else {
            *first = Step{y, z};
            blk.erase(first + 1, last);
        }
        head_[b] = blk.front().y;
        if (to_end) {
            // The run may go on into the next blocks.
            std::size_t c = b + 1;
            while (c < blocks_.size() && blocks_[c].back().z >= z) ++c;
            if (c > b + 1) {
                blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b + 1), blocks_.begin() + static_cast<std::ptrdiff_t>(c));
                head_.erase(head_.begin() + static_cast<std::ptrdiff_t>(b + 1), head_.begin() + static_cast<std::ptrdiff_t>(c));
            }
            if (b + 1 < blocks_.size()) {
                std::vector<Step>& next = blocks_[b + 1];
                auto end = next.begin();
                while (end != next.end() && end->z >= z) ++end;
                next.erase(next.begin(), end);
                head_[b + 1] = next.front().y;
            }
        }
        if (blocks_[b].size() > 2 * kBlock) {
            std::vector<Step>& full = blocks_[b];
            std::vector<Step> upper(full.begin() + kBlock, full.end());
            full.resize(kBlock);
            const double h = upper.front().y;
            blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b + 1), std::move(upper));
            head_.insert(head_.begin() + static_cast<std::ptrdiff_t>(b + 1), h);
        }
        return false;
    }

  private:
    struct Step {
        double y, z;
    };
    static constexpr std::size_t kBlock = 64;
    std::vector<std::vector<Step>> blocks_;
    std::vector<double> head_;
};

}  // namespace

void front_3d(const double* u, std::size_t m, std::uint8_t* nd) {
    BlockedStaircase stairs;
    for (std::size_t i = 0; i < m; ++i) nd[i] = !stairs.cover_or_add(u[3 * i + 1], u[3 * i + 2]);
}

}  // namespace frontierkit::pareto::detail
