// Hypervolume and exclusive contributions in four objectives (minimisation).
//
// hv4d: HV4D+ of Guerreiro & Fonseca ("Computing and updating hypervolume contributions in up to
// four dimensions", IEEE TEC 22(3), 2018). Rows are taken in ascending fourth objective w; the
// 3-D hypervolume of the rows taken so far (on the first three objectives x, y, z) grows by each
// new row's 3-D contribution, and each slab between consecutive w values adds that volume times
// its height. The 3-D contribution takes one O(n) pass over the kept rows (Kept3 below).
// O(n^2) time, O(n) memory.
//
// hvc4d: for each row p, the sweep in w of p's exclusive 3-D volume among the other rows clipped
// to p's box (the one-contribution problem of the same paper). The rows not above p in w need no
// pass of their own: the HV4D+ step that keeps p in a sweep over all rows also yields the few
// rows that shape p's exclusive region. The rows above p then shrink that volume in ascending w,
// each by its 3-D contribution to the clipped set, until one covers p. Skipped without a 3-D step:
// rows that a row other than p covers in all four objectives, and rows behind a cap (a clipped
// row that covers p's box from some coordinate on). Each 3-D step is O(h) on a clipped set of h
// rows, small in practice as clipped rows mostly cover one another: O(n^2 h) time, O(n) memory.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "frontierkit/hypervolume.hpp"

namespace frontierkit::hv::detail {

namespace {

// A kept row: its id (its slot in the caller's arrays, where its coordinates are) and its
// neighbours in the (x, y) staircase of the kept rows before it in (z, y, x) order: the one of
// largest x below its x (`left`), the one of smallest x below its y (`right`). The neighbours are
// kept up to date as rows enter and leave, so that a sweep in z rebuilds every staircase in O(1)
// a row. The kept set is an array in (z, y, x) order of these small records: the sweeps, where
// the time goes, read it front to back and touch coordinates only where they need them.
struct Item {
    std::uint32_t id, left, right;
};

struct XYZ {
    double x, y, z;
};

struct P4 {
    double x, y, z, w;
};

// The 3-D rows kept so far, none weakly dominating another. add() returns a new row's 3-D
// contribution in one pass over the kept rows and keeps the row unless it is weakly dominated.
class Kept3 {
public:
    static constexpr std::uint32_t none = ~std::uint32_t{0};

    // `items` has room for every row; `pt` and `step` have room for ids 0 .. nid+1 (the last two
    // are the sentinels).
    Kept3(Item* items, XYZ* pt, std::uint32_t* step, std::uint32_t nid, const double* ref)
        : arr_(items), pt_(pt), step_(step), lo_(nid), hi_(nid + 1), rz_(ref[2]) {
        constexpr double inf = std::numeric_limits<double>::infinity();
        // lo_ bounds every staircase on the left at height ref_y, hi_ on the right at ref_x; no
        // row ties with them (rows are strictly below ref), so they lose every comparison.
        pt_[lo_] = {-inf, ref[1], -inf};
        pt_[hi_] = {ref[0], -inf, -inf};
        clear();
    }

    void clear() {
        k_ = 0;
        last_cover_ = lo_;  // covers nothing
    }

    // Takes o's kept rows (o has the same ref and ids).
    void copy_from(const Kept3& o) {
        k_ = o.k_;
        std::copy(o.arr_, o.arr_ + k_, arr_);
        for (std::size_t i = 0; i < k_; ++i) pt_[arr_[i].id] = o.pt_[arr_[i].id];
        last_cover_ = lo_;
    }

    // After add(): a row added before that weakly dominates the new row in (x, y, z), or none.
    std::uint32_t cover() const { return cover_; }

    double add(std::uint32_t pid, double px, double py, double pz) {
        return add(pid, px, py, pz, [](std::uint32_t, double, double, double) {});
    }

    // Also calls base(id, x, y, z) for the rows of a set whose boxes, clipped to p's box, have the
    // same union as all the kept rows' clipped boxes (a row that adds nothing there is left out),
    // with their clipped corners: first the rows below p in z, right to left; then those above, in
    // ascending z. Nothing when p is weakly dominated.
    template <class Base>
    double add(std::uint32_t pid, double px, double py, double pz, Base&& base) {
        // Where most rows are dominated, the row that covered the last one often covers this one
        // too, and saves the pass (it need not still be kept: its box is inside the union).
        if (const XYZ& c = pt_[last_cover_]; c.x <= px && c.y <= py && c.z <= pz) {
            cover_ = last_cover_;
            return 0.0;
        }
        // Rows before p in (z, y, x), found by a binary search: rebuild their staircase.
        std::size_t lo = 0, hi = k_;
        while (lo < hi) {
            const std::size_t mid = (lo + hi) / 2;
            const XYZ& q = pt_[arr_[mid].id];
            if (q.z < pz || (q.z == pz && (q.y < py || (q.y == py && q.x <= px))))
                lo = mid + 1;
            else
                hi = mid;
        }
        const std::size_t pos = lo;
        step_[lo_] = hi_;
        std::size_t i = 0;
        for (; i + 1 < pos; i += 2) {  // two rows a turn: most of the time goes here
            const Item q = arr_[i], r = arr_[i + 1];
            step_[q.id] = q.right;
            step_[q.left] = q.id;
            step_[r.id] = r.right;
            step_[r.left] = r.id;
        }
        if (i < pos) {
            step_[arr_[i].id] = arr_[i].right;
            step_[arr_[i].left] = arr_[i].id;
        }
        // p's neighbours: a walk, as the staircase is far shorter than the prefix. A row before
        // p covers p in (x, y) exactly when one on the staircase does: L, or the next one if it
        // has p's x.
        std::uint32_t L = lo_, s = step_[lo_];
        while (pt_[s].x < px) L = s, s = step_[s];
        const double Ly = pt_[L].y;
        cover_ = Ly <= py ? L : pt_[s].x == px && pt_[s].y <= py ? s : none;
        if (cover_ != none) {
            last_cover_ = cover_;
            return 0.0;
        }
        if (L != lo_) base(L, px, Ly, pz);

        // p's region in the plane z = pz: its (x, y) box less the staircase, which from L on
        // runs through rows that p covers in (x, y) down to R, the first one below p.
        double area = 0.0, h = Ly, a = px;
        while (pt_[s].y >= py) {
            const double sx = pt_[s].x, sy = pt_[s].y;
            base(s, sx, sy, pz);
            area += (sx - a) * (h - py);
            a = sx;
            h = sy;
            s = step_[s];
        }
        const std::uint32_t R = s;
        area += (pt_[R].x - a) * (h - py);
        if (R != hi_) base(R, pt_[R].x, py, pz);
        pt_[pid] = {px, py, pz};

        // Rows after p: each shrinks p's region by what it newly covers inside p's (x, y) box,
        // then learns p as a neighbour, or leaves (p covers it). The first row that covers p in
        // (x, y) ends both tasks: p's region is empty from there on, and every later row that p
        // would change is covered by that row, so not kept. p goes in at pos as the rows move up
        // one slot, or down over the rows that leave.
        double vol = 0.0, lastz = pz;
        bool open = true;
        Item carry{pid, L, R};
        std::size_t o = pos;
        for (i = pos; i < k_; ++i) {
            Item q = arr_[i];
            const XYZ c = pt_[q.id];
            if (c.x <= px && c.y <= py) {
                if (open) {
                    vol += area * (c.z - lastz);
                    base(q.id, px, py, c.z);
                }
                if (c.x < px || c.y < py) {
                    std::copy_backward(arr_ + i, arr_ + k_, arr_ + k_ + 1 - (i - o));
                    arr_[o] = carry;
                    k_ += 1 - (i - o);
                    return vol;
                }
                // Same (x, y) as p, not below it: q closes p's region, and p covers q.
                open = false;
                continue;
            }
            const std::uint32_t l = q.left, r = q.right;
            if (open) {
                vol += area * (c.z - lastz);
                lastz = c.z;
                if (pt_[l].y > py && pt_[r].x > px) {  // else q adds nothing inside p's box
                    const double cov = newly_covered(c, l, r, px, py);
                    if (cov > 0.0) {
                        area -= cov;
                        base(q.id, std::max(c.x, px), std::max(c.y, py), c.z);
                    }
                }
            }
            step_[q.id] = r;
            step_[l] = q.id;
            if (px <= c.x && py <= c.y) continue;  // p covers q in (x, y, z)
            // p ties with a neighbour in (x, y) only when that neighbour is one that p covers
            // and that is leaving, so p wins ties.
            if (px < c.x) {
                if (py < pt_[l].y || (py == pt_[l].y && px <= pt_[l].x)) q.left = pid;
            } else {
                if (px < pt_[r].x || (px == pt_[r].x && py <= pt_[r].y)) q.right = pid;
            }
            arr_[o++] = carry;
            carry = q;
        }
        arr_[o++] = carry;
        k_ = o;
        if (open) vol += area * (rz_ - lastz);
        return vol;
    }

private:
    // Area inside [px, inf) x [py, inf) that q adds to the current staircase, whose rows between
    // l and r are those q covers in (x, y). q's entry skips those rows, so over a whole sweep
    // each row is walked at most once.
    double newly_covered(const XYZ& q, std::uint32_t l, std::uint32_t r, double px,
                         double py) const {
        const double cx = std::max(q.x, px), cy = std::max(q.y, py);
        double h = pt_[l].y, a = q.x, cov = 0.0;
        for (std::uint32_t s = step_[l];; s = step_[s]) {
            const double b = pt_[s].x;
            if (b > cx) cov += (b - std::max(a, cx)) * (h - cy);
            if (s == r) break;
            h = pt_[s].y;
            if (h <= cy) break;
            a = b;
        }
        return cov;
    }

    Item* arr_;
    XYZ* pt_;
    std::uint32_t* step_;  // the staircase being rebuilt: each row's successor
    std::uint32_t lo_, hi_;
    double rz_;
    std::size_t k_ = 0;
    std::uint32_t cover_ = none;
    std::uint32_t last_cover_;
};

struct Store {
    std::vector<Item> items;
    std::vector<XYZ> pt;
    std::vector<std::uint32_t> step;

    Kept3 make(std::size_t m, const double* ref) {
        items.resize(m);
        pt.resize(m + 2);
        step.resize(m + 2);
        return Kept3(items.data(), pt.data(), step.data(), static_cast<std::uint32_t>(m), ref);
    }
};

struct Clipped {
    std::uint32_t id;
    double x, y, z;
};

struct Scratch {
    Store a, b, c;
    std::vector<std::pair<double, std::uint32_t>> order;
    std::vector<P4> pts;
    std::vector<std::uint32_t> cover;
    std::vector<Clipped> base, ties;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> tie_span;
};

// Calls on up to this many rows (the d >= 5 algorithms make a great many) reuse buffers kept per
// thread; larger ones allocate their own, so that no thread holds on to big buffers.
constexpr std::size_t reuse_rows = std::size_t{1} << 12;

Scratch& per_thread_scratch() {
    thread_local Scratch s;
    return s;
}

template <class F>
decltype(auto) with_scratch(std::size_t m, F&& f) {
    if (m <= reuse_rows) return f(per_thread_scratch());
    Scratch own;
    return f(own);
}

double box4(const double* p, const double* ref) {
    return (ref[0] - p[0]) * (ref[1] - p[1]) * (ref[2] - p[2]) * (ref[3] - p[3]);
}

// Rows in ascending w (ties by input position), into order.
void sort_by_w(const double* rows, std::size_t m,
               std::vector<std::pair<double, std::uint32_t>>& order) {
    order.resize(m);
    for (std::size_t i = 0; i < m; ++i) order[i] = {rows[4 * i + 3], static_cast<std::uint32_t>(i)};
    std::sort(order.begin(), order.end());
}

void exclusive4(const double* rows, std::size_t m, const double* ref, double* out, Scratch& sc) {
    constexpr std::uint32_t none = Kept3::none;
    auto& order = sc.order;
    sort_by_w(rows, m, order);
    // Rows in ascending w, side by side; ids below are positions in this order.
    auto& pts = sc.pts;
    pts.resize(m);
    for (std::size_t t = 0; t < m; ++t) {
        const double* r = rows + 4 * static_cast<std::size_t>(order[t].second);
        pts[t] = {r[0], r[1], r[2], r[3]};
    }

    // First sweep: for each row, an earlier row that weakly dominates it in all four objectives,
    // if the 3-D steps meet one. Such a row gets 0, and its box, inside its coverer's, can shrink
    // no exclusive region but the coverer's.
    Kept3 all = sc.a.make(m, ref);
    auto& cover = sc.cover;
    cover.resize(m);
    for (std::size_t t = 0; t < m; ++t) {
        all.add(static_cast<std::uint32_t>(t), pts[t].x, pts[t].y, pts[t].z);
        cover[t] = all.cover();
    }

    // Second sweep, a group of equal w [g, e) at a time. For each row p, `clipped` is set up with
    // the rows not above p in w, clipped to p's box, and p's exclusive 3-D volume `left` among
    // them follows; the rows above then shrink `left`, each from its w on.
    all.clear();
    Kept3 clipped = sc.b.make(m, ref);
    Kept3 back = sc.c.make(m, ref);
    auto& base = sc.base;
    auto& ties = sc.ties;
    auto& tie_span = sc.tie_span;
    auto add_to_base = [&](std::uint32_t id, double x, double y, double z) {
        base.push_back({id, x, y, z});
    };
    auto add_to_ties = [&](std::uint32_t id, double x, double y, double z) {
        ties.push_back({id, x, y, z});
    };
    for (std::size_t g = 0, e; g < m; g = e) {
        for (e = g + 1; e < m && pts[e].w == pts[g].w; ++e) {
        }
        const bool tied = e > g + 1;
        // The rows of the group after p count as rows not above p. The same steps, taken by the
        // group in reverse on a copy of the kept set, name those of them that shape p's region:
        // ties[tie_span[t - g]], whose end is none where one of them covers p. Every row of the
        // group goes in, covered or not: one covered by an earlier row of the group still shrinks
        // that row's region.
        if (tied) {
            ties.clear();
            tie_span.resize(e - g);
            back.copy_from(all);
            for (std::size_t t = e; t-- > g;) {
                const auto from = static_cast<std::uint32_t>(ties.size());
                back.add(static_cast<std::uint32_t>(t), pts[t].x, pts[t].y, pts[t].z, add_to_ties);
                const auto to = static_cast<std::uint32_t>(ties.size());
                tie_span[t - g] = {from, back.cover() == none ? to : none};
            }
        }
        for (std::size_t t = g; t < e; ++t) {
            const P4 p = pts[t];
            const auto pid = static_cast<std::uint32_t>(t);
            double& res = out[order[t].second];
            res = 0.0;
            if (cover[t] != none) continue;
            base.clear();
            double left = all.add(pid, p.x, p.y, p.z, add_to_base);
            if (tied && tie_span[t - g].second == none) continue;
            // A clipped row that reaches two faces of p's box through p's corner covers p's box
            // from its third coordinate on: the least such coordinates, the `caps`, screen out
            // most of the rows that would add nothing, before the 3-D step.
            double cap[3] = {ref[0], ref[1], ref[2]};
            auto feed = [&](std::uint32_t id, double x, double y, double z) {
                if (y == p.y && z == p.z) cap[0] = std::min(cap[0], x);
                if (x == p.x && z == p.z) cap[1] = std::min(cap[1], y);
                if (x == p.x && y == p.y) cap[2] = std::min(cap[2], z);
                return clipped.add(id, x, y, z);
            };
            // The rows below p in z come right to left, and go in faster in (z, y, x) order.
            std::size_t nb = 0;
            while (nb < base.size() && base[nb].z == p.z) ++nb;
            std::reverse(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(nb));
            clipped.clear();
            for (const Clipped& c : base) feed(c.id, c.x, c.y, c.z);
            if (tied)
                for (std::uint32_t j = tie_span[t - g].first; j < tie_span[t - g].second; ++j)
                    left -= feed(ties[j].id, ties[j].x, ties[j].y, ties[j].z);
            // The rows above p, until one covers p in (x, y, z); `left` is constant between the
            // rows that shrink it.
            double c = 0.0, w = p.w;
            for (std::size_t u = e; u < m; ++u) {
                if (cover[u] != none && cover[u] != pid) continue;
                const P4& q = pts[u];
                const double x = std::max(q.x, p.x), y = std::max(q.y, p.y), z = std::max(q.z, p.z);
                if (x >= cap[0] || y >= cap[1] || z >= cap[2]) continue;
                if (x == p.x && y == p.y && z == p.z) {
                    c += left * (q.w - w);
                    left = 0.0;
                    break;
                }
                const double d = feed(static_cast<std::uint32_t>(u), x, y, z);
                if (d > 0.0) {
                    c += left * (q.w - w);
                    w = q.w;
                    left -= d;
                }
            }
            res = std::max(0.0, c + left * (ref[3] - w));  // rounding can leave a hair below 0
        }
    }
}

}  // namespace

double hv4d(const double* rows, std::size_t m, const double* ref) {
    if (m == 1) return box4(rows, ref);
    if (m == 2) {
        const double* a = rows;
        const double* b = rows + 4;
        const double both[4] = {std::max(a[0], b[0]), std::max(a[1], b[1]), std::max(a[2], b[2]),
                                std::max(a[3], b[3])};
        return box4(a, ref) + box4(b, ref) - box4(both, ref);
    }
    return with_scratch(m, [&](Scratch& sc) {
        sort_by_w(rows, m, sc.order);
        const auto& order = sc.order;
        // Gathered in w order first: independent loads overlap here, not inside the steps.
        auto& pts = sc.pts;
        pts.resize(m);
        for (std::size_t t = 0; t < m; ++t) {
            const double* r = rows + 4 * static_cast<std::size_t>(order[t].second);
            pts[t] = {r[0], r[1], r[2], r[3]};
        }
        Kept3 kept = sc.a.make(m, ref);
        double v3 = 0.0, hv = 0.0;
        for (std::size_t t = 0; t < m; ++t) {
            v3 += kept.add(static_cast<std::uint32_t>(t), pts[t].x, pts[t].y, pts[t].z);
            const double w_next = t + 1 < m ? pts[t + 1].w : ref[3];
            hv += v3 * (w_next - pts[t].w);
        }
        return hv;
    });
}

void hvc4d(const double* rows, std::size_t m, const double* ref, double* out) {
    if (m == 1) {
        out[0] = box4(rows, ref);
        return;
    }
    with_scratch(m, [&](Scratch& sc) { exclusive4(rows, m, ref, out, sc); });
}

}  // namespace frontierkit::hv::detail
