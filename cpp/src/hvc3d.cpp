// Exclusive hypervolume contributions in two and three objectives by sweeps (minimisation).
//
// Dominated rows are not dropped: a row that exactly one other row weakly dominates lies in that
// row's box and eats into its exclusive region, so it has to be accounted for. A row that two or
// more rows dominate lies in two boxes and changes nobody's share, so those can be ignored.
//
// Both sweeps start from a sort of the rows: an LSD radix sort on one column's order-preserving
// key (O(n)), a comparison sort for runs of ties and for small n; O(n log n) worst case.
//
// d = 2: one pass over the rows in lexicographic order, O(n) after the sort, O(n) memory. A
// non-dominated row owns the rectangle between its neighbours on the front; the dominated rows
// that follow it in the order, up to the next non-dominated row, are exactly the rows that it
// alone dominates (any other lies above the left neighbour or right of the right one), and their
// lower staircase is the upper edge of its exclusive region, so the region is summed column by
// column as a sum of positive terms (no rectangle-minus-staircase cancellation).
//
// d = 3: HVC3D of Guerreiro & Fonseca ("Computing and updating hypervolume contributions in up to
// four dimensions", IEEE TEC 22(3), 2018), O(n log n) time, O(n) memory, extended to dominated
// rows. Rows enter in ascending third objective. Every row of the current (x, y) staircase S
// keeps the area of its exclusive 2-D region and the height from which that area holds; its
// contribution grows by area x height whenever the area changes and at the end. The region of a
// staircase row p is the rectangle up to its neighbours minus the boxes of T(p), the staircase of
// the rows that p alone dominates in (x, y): the rows p covered when it entered, and later rows
// that fall into its rectangle (those are dominated rows of the input). S and all the T(p)
// together are the rows dominated by at most one other; in (x, y) order each T(p) sits right
// after p, so one ordered set holds them all and every area change is a walk over the rows that
// a new row removes from it (each row leaves the set at most once, which pays for the walks).
// The ordered set is over x-ranks (precomputed by the sort): a 64-ary bitset tree, whose
// predecessor and successor queries cost O(log n / 6) word operations.
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "frontierkit/hypervolume.hpp"

namespace frontierkit::hv::detail {

namespace {

constexpr std::size_t kNone = ~std::size_t{0};
// Rows of T(p) an area update may walk beyond those it removes (see update_area).
constexpr std::size_t kBudget = 8;

// Row numbers in ascending lexicographic order of the columns c, c+1, ..., c+d-1 (mod d), then of
// the row number. Unlike lex_order this can lead with any column, and below ~2000 rows a
// comparison sort of (key, row) pairs beats the radix sort's histograms.
std::vector<std::size_t> order_by(const double* rows, std::size_t m, std::size_t d, std::size_t c) {
    auto tie_less = [&](std::size_t a, std::size_t b) {
        for (std::size_t j = 1; j < d; ++j) {
            const std::size_t k = (c + j) % d;
            if (rows[a * d + k] != rows[b * d + k]) return rows[a * d + k] < rows[b * d + k];
        }
        return a < b;
    };
    std::vector<std::size_t> idx(m);
    if (m > std::numeric_limits<std::uint32_t>::max()) {
        for (std::size_t i = 0; i < m; ++i) idx[i] = i;
        std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
            const double va = rows[a * d + c], vb = rows[b * d + c];
            return va != vb ? va < vb : tie_less(a, b);
        });
        return idx;
    }
#pragma pack(push, 4)
    struct Item {
        std::uint64_t key;
        std::uint32_t row;
    };
#pragma pack(pop)
    std::vector<Item> a(m);
    for (std::size_t i = 0; i < m; ++i)
        a[i] = {order_key(rows[i * d + c]), static_cast<std::uint32_t>(i)};
    if (m < 2048) {
        std::sort(a.begin(), a.end(), [](const Item& p, const Item& q) {
            return p.key != q.key ? p.key < q.key : p.row < q.row;
        });
    } else {
        constexpr int kBits = 11, kBuckets = 1 << kBits, kPasses = (64 + kBits - 1) / kBits;
        std::vector<Item> b(m);
        std::vector<std::array<std::uint32_t, kBuckets>> hist(kPasses);
        for (auto& h : hist) h.fill(0);
        for (const Item& it : a)
            for (int p = 0; p < kPasses; ++p) ++hist[p][(it.key >> (p * kBits)) & (kBuckets - 1)];
        for (int p = 0; p < kPasses; ++p) {
            auto& h = hist[p];
            const int shift = p * kBits;
            if (h[(a[0].key >> shift) & (kBuckets - 1)] == m) continue;  // a digit all keys share
            std::uint32_t sum = 0;
            for (auto& count : h) {
                const std::uint32_t below = sum;
                sum += count;
                count = below;
            }
            for (const Item& it : a) b[h[(it.key >> shift) & (kBuckets - 1)]++] = it;
            a.swap(b);
        }
    }
    for (std::size_t i = 0; i < m; ++i) idx[i] = a[i].row;
    for (std::size_t i = 0; i < m;) {
        std::size_t j = i + 1;
        while (j < m && a[j].key == a[i].key) ++j;
        if (j - i > 1) std::sort(idx.begin() + i, idx.begin() + j, tie_less);
        i = j;
    }
    return idx;
}

// Ordered subset of 0 .. n-1: level 0 has a bit per element, each level above a bit per non-zero
// word below it, up to a single word.
class RankSet {
public:
    explicit RankSet(std::size_t n) {
        std::size_t words = n;
        do {
            words = (words + 63) / 64;
            levels_.emplace_back(words, 0);
        } while (words > 1);
    }

    void insert(std::size_t i) {
        for (auto& level : levels_) {
            std::uint64_t& w = level[i >> 6];
            const bool had_bits = w != 0;
            w |= std::uint64_t{1} << (i & 63);
            if (had_bits) return;
            i >>= 6;
        }
    }

    void erase(std::size_t i) {
        for (auto& level : levels_) {
            std::uint64_t& w = level[i >> 6];
            w &= ~(std::uint64_t{1} << (i & 63));
            if (w != 0) return;
            i >>= 6;
        }
    }

    // Largest element < i, or kNone.
    std::size_t pred(std::size_t i) const {
        for (std::size_t l = 0; l < levels_.size(); ++l) {
            const std::uint64_t bits = levels_[l][i >> 6] & ((std::uint64_t{1} << (i & 63)) - 1);
            if (bits != 0) {
                std::size_t pos = (i & ~std::size_t{63}) | (63 - __builtin_clzll(bits));
                while (l-- > 0) pos = (pos << 6) | (63 - __builtin_clzll(levels_[l][pos]));
                return pos;
            }
            i >>= 6;
        }
        return kNone;
    }

    // Smallest element > i, or kNone.
    std::size_t succ(std::size_t i) const {
        for (std::size_t l = 0; l < levels_.size(); ++l) {
            const std::uint64_t bits = levels_[l][i >> 6] & (~std::uint64_t{1} << (i & 63));
            if (bits != 0) {
                std::size_t pos = (i & ~std::size_t{63}) | __builtin_ctzll(bits);
                while (l-- > 0) pos = (pos << 6) | __builtin_ctzll(levels_[l][pos]);
                return pos;
            }
            i >>= 6;
        }
        return kNone;
    }

private:
    std::vector<std::vector<std::uint64_t>> levels_;
};

// A row of the 3-D sweep, stored at its x-rank. owner: itself while on the staircase S, the
// staircase row that alone dominates it while in some T(p), kNone before it enters.
struct Node {
    double x, y;
    double top;    // on S: y of the left neighbour (or ref), the upper edge of the rectangle
    double area;   // on S: exclusive 2-D area
    double z;      // the row's z; on S: height from which `area` holds
    double acc;    // contribution gathered so far
    std::size_t owner;
};

}  // namespace

void hvc2d(const double* rows, std::size_t m, const double* ref, double* out) {
    const std::vector<std::size_t> order = order_by(rows, m, 2, 0);
    std::fill(out, out + m, 0.0);
    double top = ref[1];  // y of the previous non-dominated row
    std::size_t t = 0;
    while (t < m) {
        // order[t] is non-dominated: lexicographically first, or below every row before it.
        const double* c = rows + 2 * order[t];
        const double cx = c[0], cy = c[1];
        // Column by column from cx: above cy the region reaches `step_y` (the lowest dominated row
        // so far, or the left neighbour) until the next dominated row steps lower.
        double area = 0.0, step_x = cx, step_y = top;
        std::size_t u = t + 1;
        for (; u < m; ++u) {
            const double* q = rows + 2 * order[u];
            if (q[1] < cy) break;  // the next non-dominated row
            if (q[1] < step_y) {   // otherwise the left neighbour or an earlier step covers it
                area += (q[0] - step_x) * (step_y - cy);
                step_x = q[0];
                step_y = q[1];
            }
        }
        // An exact duplicate steps to (cx, cy) and zeroes every term: no special case needed.
        const double right = u < m ? rows[2 * order[u]] : ref[0];
        out[order[t]] = area + (right - step_x) * (step_y - cy);
        top = cy;
        t = u;
    }
}

void hvc3d(const double* rows, std::size_t m, const double* ref, double* out) {
    // x-ranks: (x, y, z, index) order. The sweep goes in (z, x, y, index) order, which on equal
    // (x, y) agrees with it, so a row met earlier in the sweep has the smaller rank; and among
    // rows of equal z a weak dominator comes first, so a weakly dominated row never owns volume.
    const std::vector<std::size_t> by_x = order_by(rows, m, 3, 0);
    std::vector<std::size_t> sweep = order_by(rows, m, 3, 2);
    std::vector<Node> node(m);
    {
        std::vector<std::size_t> rank(m);
        for (std::size_t r = 0; r < m; ++r) {
            const double* p = rows + 3 * by_x[r];
            node[r] = {p[0], p[1], 0.0, 0.0, p[2], 0.0, kNone};
            rank[by_x[r]] = r;
        }
        // The sweep as x-ranks: the gathers happen here, in a loop that overlaps them, rather
        // than on the sweep's critical path.
        for (auto& i : sweep) i = rank[i];
    }
    RankSet live(m);  // S and every T(p)
    const double ref_x = ref[0];
    auto x_or_ref = [&](std::size_t v) { return v == kNone ? ref_x : node[v].x; };
    auto settle = [&](Node& p, double z) {
        p.acc += p.area * (z - p.z);
        p.z = z;
    };
    // A changed area: the old one minus the part lost loses all accuracy when little remains, so
    // the region is summed afresh, column by column under T(p), when T(p) is short enough to pay
    // for it out of the rows just removed (amortised O(1)); otherwise the difference stands.
    auto update_area = [&](std::size_t pi, double lost, std::size_t budget) {
        Node& p = node[pi];
        double area = 0.0, left = p.x, high = p.top;
        std::size_t v = live.succ(pi);
        for (; v != kNone && node[v].owner != v; v = live.succ(v)) {
            if (budget-- == 0) {
                p.area = std::max(0.0, p.area - lost);
                return;
            }
            area += (node[v].x - left) * (high - p.y);
            left = node[v].x;
            high = node[v].y;
        }
        p.area = area + (x_or_ref(v) - left) * (high - p.y);
    };

    constexpr std::size_t kAhead = 8;  // rows to prefetch ahead of the sweep
    for (std::size_t t = 0; t < m; ++t) {
        if (t + kAhead < m) __builtin_prefetch(&node[sweep[t + kAhead]]);
        const std::size_t k = sweep[t];
        Node& q = node[k];
        const double qx = q.x, qy = q.y, z = q.z;
        // The live row just before q in x-rank is the staircase row p with the next smaller rank
        // or one of T(p), which lie between p and its right neighbour.
        const std::size_t u = live.pred(k);
        const std::size_t pi = u == kNone ? kNone : node[u].owner;

        if (pi != kNone && node[pi].y <= qy) {
            // p weakly dominates q, and so does every row of lower z: q owns nothing. It matters
            // only if nobody else dominates it: not p's left neighbour, not a row of T(p).
            Node& p = node[pi];
            if (qy >= p.top) continue;
            double high = p.top;  // upper edge of p's region in q's first column
            if (u != pi) {
                if (node[u].y <= qy) continue;
                high = node[u].y;
            }
            settle(p, z);
            // The part of p's region that q's box takes: from q's column rightwards, up to the
            // T(p) staircase, removing the rows of T(p) that q dominates.
            double lost = 0.0, left = qx, h = high - qy;
            std::size_t v = live.succ(k), removed = 0;
            for (; v != kNone && node[v].y >= qy; v = live.succ(v), ++removed) {
                lost += (node[v].x - left) * h;
                left = node[v].x;
                h = node[v].y - qy;
                live.erase(v);
                node[v].owner = kNone;
            }
            lost += (x_or_ref(v) - left) * h;
            q.owner = pi;
            live.insert(k);
            // Equal (x, y): q's box covers all of p's; exactly zero, whatever the rounding.
            if (qx == p.x && qy == p.y)
                p.area = 0.0;
            else
                update_area(pi, lost, kBudget + removed);
            continue;
        }

        // q joins the staircase. Its rectangle's upper edge is y of p (or ref).
        const double top = pi == kNone ? ref[1] : node[pi].y;
        std::size_t v = live.succ(k);
        double p_lost = 0.0;  // p's area is redone once q is in place (its right edge)
        std::size_t p_budget = 0;
        if (pi != kNone) {
            // p loses every column of its region from x = qx on (q covers y >= y_p > y_q there);
            // the rows of T(p) in those columns are dominated by both p and q.
            Node& p = node[pi];
            settle(p, z);
            double lost = 0.0, left = qx, high = u != pi ? node[u].y : p.top;
            std::size_t removed = 0;
            for (; v != kNone && node[v].owner != v; v = live.succ(v), ++removed) {
                lost += (node[v].x - left) * (high - p.y);
                left = node[v].x;
                high = node[v].y;
                live.erase(v);
                node[v].owner = kNone;
            }
            lost += (x_or_ref(v) - left) * (high - p.y);
            p_lost = lost;
            p_budget = kBudget + removed;
        }
        // Staircase rows that q dominates leave S with their final contributions and make up
        // T(q); their own T sets are dominated by them and by q. q's region is summed column by
        // column under them (positive terms only).
        double area = 0.0, left = qx, h = top - qy;
        while (v != kNone) {
            Node& s = node[v];
            if (s.owner == v) {
                if (s.y < qy) break;  // the new right neighbour r
                settle(s, z);
                area += (s.x - left) * h;
                left = s.x;
                h = s.y - qy;
                s.owner = k;
            } else {
                live.erase(v);
                s.owner = kNone;
            }
            v = live.succ(v);
        }
        area += (x_or_ref(v) - left) * h;
        if (v != kNone) {
            // r's rectangle now stops at y = qy: it loses its rows of y >= qy, each reaching right
            // to the T(r) staircase; the rows of T(r) up there are dominated by r and q.
            Node& r = node[v];
            settle(r, z);
            double lost = 0.0, high = r.top;
            std::size_t w = live.succ(v), removed = 0;
            for (; w != kNone && node[w].owner != w && node[w].y >= qy;
                 w = live.succ(w), ++removed) {
                lost += (node[w].x - r.x) * (high - node[w].y);
                high = node[w].y;
                live.erase(w);
                node[w].owner = kNone;
            }
            lost += (x_or_ref(w) - r.x) * (high - qy);
            r.top = qy;
            update_area(v, lost, kBudget + removed);
        }
        q.top = top;
        q.area = area;
        q.owner = k;
        live.insert(k);
        if (pi != kNone) update_area(pi, p_lost, p_budget);
    }

    for (std::size_t r = 0; r < m; ++r) {
        if (node[r].owner == r) settle(node[r], ref[2]);
        out[by_x[r]] = node[r].acc;
    }
}

}  // namespace frontierkit::hv::detail
