// Hypervolume and exclusive contributions in d >= 5 objectives (any d >= 2 works).
// v2 draft (experimental).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <thread>
#include <utility>
#include <vector>

#include "frontierkit/hypervolume.hpp"

namespace frontierkit::hv::detail {

namespace {

using u32 = std::uint32_t;
constexpr std::size_t kFixed = 12;

template <std::size_t D>
inline std::size_t dim(std::size_t d) {
    return D ? D : d;
}

template <std::size_t D>
inline double box_volume(const double* p, const double* ref, std::size_t dd) {
    const std::size_t d = dim<D>(dd);
    double v = 1.0;
    for (std::size_t k = 0; k < d; ++k) v *= ref[k] - p[k];
    return v;
}

// Inclusion-exclusion over every subset of the m rows (small m only): the subsets in
// depth-first order, each one's upper corner the max of its parent's and one more row.
constexpr std::size_t kIexMax = 12;

template <std::size_t D>
double hv_small(const double* rows, std::size_t m, const double* ref, std::size_t dd) {
    const std::size_t d = dim<D>(dd);
    if (m == 1) return box_volume<D>(rows, ref, d);
    if (m == 2) {
        const double* p = rows;
        const double* q = rows + d;
        double vp = 1.0, vq = 1.0, vpq = 1.0;
        for (std::size_t k = 0; k < d; ++k) {
            const double a = ref[k] - p[k], b = ref[k] - q[k];
            vp *= a;
            vq *= b;
            vpq *= std::min(a, b);
        }
        return vp + vq - vpq;
    }
    // Row t+1 of `side`: the sides (ref - corner) of the subset at depth t; row 0 is unbounded.
    double sides[(kIexMax + 1) * (D ? D : 1)];
    std::vector<double> dyn;
    double* side = sides;
    if (!D) {
        dyn.resize((kIexMax + 1) * d);
        side = dyn.data();
    }
    for (std::size_t k = 0; k < d; ++k) side[k] = std::numeric_limits<double>::infinity();
    std::size_t idx[kIexMax];
    double acc[2] = {0.0, 0.0};
    std::size_t t = 0;
    idx[0] = 0;
    for (;;) {
        // Subset at depth t: its parent (depth t-1) plus row idx[t].
        const double* x = rows + idx[t] * d;
        double* s = side + (t + 1) * d;
        const double* ps = s - d;
        double v = 1.0;
        for (std::size_t k = 0; k < d; ++k) {
            s[k] = std::min(ps[k], ref[k] - x[k]);
            v *= s[k];
        }
        acc[t & 1] += v;
        if (idx[t] + 1 < m) {
            idx[t + 1] = idx[t] + 1;
            ++t;
        } else {
            // Back up to the deepest depth whose row can advance.
            do {
                if (t == 0) return acc[0] - acc[1];
                --t;
            } while (idx[t] + 1 >= m);
            ++idx[t];
        }
    }
}

struct Level {
    std::vector<double> lim;   // raw limit set
    std::vector<double> kept;  // filtered limit set, unsorted
    std::vector<double> out;   // the same ascending in its last objective
    std::vector<std::pair<double, u32>> keys;
    std::vector<u32> active;
    std::vector<double> tmp;
    std::vector<std::pair<double, double>> stair;
    void reserve(std::size_t rows, std::size_t e) {
        if (kept.size() < rows * e) {
            lim.resize(rows * e);
            kept.resize(rows * e);
            out.resize(rows * e);
        }
        if (keys.size() < rows) keys.resize(rows);
        if (tmp.size() < 2 * e) tmp.resize(2 * e);
    }
};

struct Ctx {
    const double* ref;
    int base;
    std::size_t iex;
    int heur;
    std::vector<Level> lv;
    Ctx(const double* r, std::size_t d, int b) : ref(r), base(b), iex(std::getenv("WFG_IEX") ? std::atoi(std::getenv("WFG_IEX")) : 6),
        heur(std::getenv("WFG_H") ? std::atoi(std::getenv("WFG_H")) : 0), lv(d + 2) {}
};

// Offers limit row c to the antichain kept[0..n): dropped if a kept row weakly dominates it, else
// it replaces the kept rows it dominates.
template <std::size_t E>
inline void offer(double* kept, std::size_t& n, const double* c, std::size_t ee) {
    const std::size_t e = dim<E>(ee);
    std::size_t j = 0;
    while (j < n) {
        double* o = kept + j * e;
        bool o_le = true, c_le = true;
        for (std::size_t k = 0; k < e; ++k) {
            o_le &= o[k] <= c[k];
            c_le &= c[k] <= o[k];
        }
        if (o_le) {
            if (j > 0) std::swap_ranges(o, o + e, kept);
            return;
        }
        if (c_le) {
            --n;
            std::copy(kept + n * e, kept + n * e + e, o);
        } else {
            ++j;
        }
    }
    std::copy(c, c + e, kept + n * e);
    ++n;
}

// l = max(p, q) worse than p in one objective k only: p with that objective raised to l[k]. It
// weakly dominates every limit row at least as bad in objective k, so the least such l[k] bounds
// the objective k of every limit row that can survive the filter.
template <std::size_t E>
inline void note_bound(const double* l, const double* p, double* bound, std::size_t ee) {
    const std::size_t e = dim<E>(ee);
    std::size_t cnt = 0, kk = 0;
    for (std::size_t k = 0; k < e; ++k)
        if (l[k] > p[k]) {
            ++cnt;
            kk = k;
        }
    if (cnt == 1 && l[kk] < bound[kk]) bound[kk] = l[kk];
}

// The limit rows lv.lim[0..r) inside the bound go to the exact filter; returns the antichain size.
template <std::size_t E>
std::size_t filter_bounded(Level& lv, std::size_t r, const double* bound, std::size_t ee) {
    const std::size_t e = dim<E>(ee);
    const double* lim = lv.lim.data();
    double* kept = lv.kept.data();
    std::size_t nk = 0;
    for (std::size_t t = 0; t < r; ++t) {
        const double* l = lim + t * e;
        bool in = true;
        for (std::size_t k = 0; k < e; ++k) in &= l[k] <= bound[k];
        if (in) offer<E>(kept, nk, l, e);
    }
    return nk;
}

double hv2_sorted(const double* rows, std::size_t m, const double* ref) {
    double vol = 0.0, lowx = ref[0];
    for (std::size_t i = 0; i < m; ++i) {
        const double x = rows[2 * i], y = rows[2 * i + 1];
        if (x < lowx) {
            vol += (lowx - x) * (ref[1] - y);
            lowx = x;
        }
    }
    return vol;
}

double hv3_sorted(std::vector<std::pair<double, double>>& st, const double* rows, std::size_t m, const double* ref) {
    st.clear();
    double area = 0.0, vol = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
        const double x = rows[3 * i], y = rows[3 * i + 1], z = rows[3 * i + 2];
        auto it = std::upper_bound(st.begin(), st.end(), x,
                                   [](double v, const std::pair<double, double>& s) { return v < s.first; });
        const double yprev = it == st.begin() ? ref[1] : std::prev(it)->second;
        if (yprev > y) {
            auto first = (it != st.begin() && std::prev(it)->first == x) ? std::prev(it) : it;
            auto last = first;
            double added = 0.0, left = x, h = yprev - y;
            while (last != st.end() && last->second >= y) {
                added += (last->first - left) * h;
                left = last->first;
                h = last->second - y;
                ++last;
            }
            const double right = last == st.end() ? ref[0] : last->first;
            added += (right - left) * h;
            area += added;
            if (first == last) {
                st.insert(first, {x, y});
            } else {
                *first = {x, y};
                st.erase(first + 1, last);
            }
        }
        const double znext = i + 1 < m ? rows[3 * (i + 1) + 2] : ref[2];
        vol += area * (znext - z);
    }
    return vol;
}

double hv_any(Ctx& c, std::size_t L, const double* rows, std::size_t m, std::size_t d);

template <std::size_t D>
double hv_rec(Ctx& c, std::size_t L, const double* rows, std::size_t m, std::size_t dd);

// Hypervolume of the antichain c.lv[L].kept[0..n) (e objectives, any order).
template <std::size_t E>
double hv_limit(Ctx& c, std::size_t L, std::size_t n, std::size_t ee) {
    const std::size_t e = dim<E>(ee);
    Level& lv = c.lv[L];
    if (n <= c.iex) return hv_small<E>(lv.kept.data(), n, c.ref, e);
    if constexpr (E == 4) {
        if (c.base == 4) return hv4d(lv.kept.data(), n, c.ref);
    }
    auto& keys = lv.keys;
    const double* kept = lv.kept.data();
    // Objective to slice next (the reference point is the origin, so objectives can be permuted).
    std::size_t s = e - 1;
    if (c.heur) {
        double best = 0.0;
        for (std::size_t k = 0; k < e; ++k) {
            double lo = kept[k], score = 0.0;
            if (c.heur <= 2) {
                for (std::size_t j = 1; j < n; ++j) lo = std::min(lo, kept[j * e + k]);
                for (std::size_t j = 0; j < n; ++j) score += kept[j * e + k] == lo;
                if (c.heur == 2) score = -score;
            } else if (c.heur == 5 || c.heur == 6) {
                double sum = 0.0;
                for (std::size_t j = 1; j < n; ++j) lo = std::min(lo, kept[j * e + k]);
                for (std::size_t j = 0; j < n; ++j) {
                    score += kept[j * e + k] == lo;
                    sum += kept[j * e + k];
                }
                score = -score * 1e6 + (c.heur == 5 ? -sum : sum);
            } else if (c.heur == 7) {
                // rows at the floor weighted by nothing: floor height relative to the mean
                double sum = 0.0;
                for (std::size_t j = 1; j < n; ++j) lo = std::min(lo, kept[j * e + k]);
                for (std::size_t j = 0; j < n; ++j) sum += kept[j * e + k];
                score = lo - sum / n;
            } else {
                for (std::size_t j = 0; j < n; ++j) score += kept[j * e + k];
                if (c.heur == 4) score = -score;
            }
            if (k == 0 || score > best) {
                best = score;
                s = k;
            }
        }
    }
    for (std::size_t j = 0; j < n; ++j) keys[j] = {kept[j * e + s], static_cast<u32>(j)};
    std::sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n));
    double* out = lv.out.data();
    for (std::size_t j = 0; j < n; ++j) {
        const double* r = kept + static_cast<std::size_t>(keys[j].second) * e;
        double* o = out + j * e;
        std::copy(r, r + e, o);
        std::swap(o[s], o[e - 1]);
    }
    if constexpr (E == 0) return hv_any(c, L + 1, out, n, e);
    else return hv_rec<E>(c, L + 1, out, n, e);
}

// WFG slicing: rows ascending in objective d-1.
template <std::size_t D>
double slice(Ctx& c, std::size_t L, const double* rows, std::size_t m, std::size_t dd) {
    constexpr std::size_t E = D ? D - 1 : 0;
    const std::size_t d = dim<D>(dd), e = d - 1;
    const double* ref = c.ref;
    Level& lv = c.lv[L];
    lv.reserve(m, e);
    auto& active = lv.active;
    active.clear();
    double local[E ? 2 * E : 1];
    double* bound = E ? local : lv.tmp.data();
    double vol = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
        const double* p = rows + i * d;
        double* lim = lv.lim.data();
        std::size_t r = 0, keep = 0;
        bool covered = false;
        for (std::size_t k = 0; k < e; ++k) bound[k] = ref[k];
        for (std::size_t a = 0, na = active.size(); a < na; ++a) {
            const u32 j = active[a];
            const double* q = rows + static_cast<std::size_t>(j) * d;
            double* l = lim + r * e;
            bool q_le = true, p_le = true;
            for (std::size_t k = 0; k < e; ++k) {
                q_le &= q[k] <= p[k];
                p_le &= p[k] <= q[k];
                l[k] = std::max(p[k], q[k]);
            }
            if (q_le) {
                covered = true;
                break;
            }
            if (!p_le) active[keep++] = j;
            note_bound<E>(l, p, bound, e);
            ++r;
        }
        if (covered) continue;
        active.resize(keep);
        active.push_back(static_cast<u32>(i));
        const std::size_t nk = filter_bounded<E>(lv, r, bound, e);
        const double inner = nk ? hv_limit<E>(c, L, nk, e) : 0.0;
        vol += (ref[e] - p[e]) * (box_volume<E>(p, ref, e) - inner);
    }
    return vol;
}

template <std::size_t D>
double hv_rec(Ctx& c, std::size_t L, const double* rows, std::size_t m, std::size_t dd) {
    const std::size_t d = dim<D>(dd);
    if (m <= c.iex) return hv_small<D>(rows, m, c.ref, d);
    if constexpr (D == 2) {
        return hv2_sorted(rows, m, c.ref);
    } else if constexpr (D == 3) {
        return hv3_sorted(c.lv[L].stair, rows, m, c.ref);
    } else {
        if constexpr (D == 4) {
            if (c.base == 4) return hv4d(rows, m, c.ref);
        }
        return slice<D>(c, L, rows, m, d);
    }
}

double hv_any(Ctx& c, std::size_t L, const double* rows, std::size_t m, std::size_t d) {
    switch (d) {
        case 2: return hv_rec<2>(c, L, rows, m, d);
        case 3: return hv_rec<3>(c, L, rows, m, d);
        case 4: return hv_rec<4>(c, L, rows, m, d);
        case 5: return hv_rec<5>(c, L, rows, m, d);
        case 6: return hv_rec<6>(c, L, rows, m, d);
        case 7: return hv_rec<7>(c, L, rows, m, d);
        case 8: return hv_rec<8>(c, L, rows, m, d);
        case 9: return hv_rec<9>(c, L, rows, m, d);
        case 10: return hv_rec<10>(c, L, rows, m, d);
        case 11: return hv_rec<11>(c, L, rows, m, d);
        case 12: return hv_rec<12>(c, L, rows, m, d);
        default: return slice<0>(c, L, rows, m, d);
    }
}

int base_dim() {
    const char* s = std::getenv("WFG_BASE");
    return s ? std::atoi(s) : 4;
}

unsigned thread_count(int threads) {
    if (threads > 0) return static_cast<unsigned>(threads);
    return std::max(1u, std::thread::hardware_concurrency());
}

template <class F>
void run_workers(unsigned t, F&& body) {
    if (t <= 1) {
        body(0u);
        return;
    }
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < t; ++w) pool.emplace_back([&body, w] { body(w); });
    body(0u);
    for (auto& th : pool) th.join();
}

// Top level in parallel: the exclusive volume of row i depends on the rows before it that are
// still in the (d-1)-objective front, known after one cheap sequential pass.
template <std::size_t D>
double slice_top(const double* rows, std::size_t m, std::size_t dd, const double* ref, int base, unsigned t) {
    constexpr std::size_t E = D ? D - 1 : 0;
    const std::size_t d = dim<D>(dd), e = d - 1;
    std::vector<char> covered(m, 0);
    std::vector<u32> death(m, static_cast<u32>(m));
    {
        std::vector<u32> active;
        for (std::size_t i = 0; i < m; ++i) {
            const double* p = rows + i * d;
            std::size_t keep = 0;
            bool cov = false;
            for (std::size_t a = 0, na = active.size(); a < na; ++a) {
                const u32 j = active[a];
                const double* q = rows + static_cast<std::size_t>(j) * d;
                bool q_le = true, p_le = true;
                for (std::size_t k = 0; k < e; ++k) {
                    q_le &= q[k] <= p[k];
                    p_le &= p[k] <= q[k];
                }
                if (q_le) {
                    cov = true;
                    break;
                }
                if (p_le) death[j] = static_cast<u32>(i);
                else active[keep++] = j;
            }
            if (cov) {
                covered[i] = 1;
                continue;
            }
            active.resize(keep);
            active.push_back(static_cast<u32>(i));
        }
    }
    std::vector<double> contrib(m, 0.0);
    std::atomic<std::size_t> next{0};
    const std::size_t chunk = std::max<std::size_t>(1, m / (64 * t));
    run_workers(t, [&](unsigned) {
        Ctx c(ref, d, base);
        Level& lv = c.lv[0];
        lv.reserve(m, e);
        std::vector<u32> act;
        std::size_t upto = 0;
        double local[E ? E : 1];
        double* bound = E ? local : lv.tmp.data();
        for (std::size_t a0; (a0 = next.fetch_add(chunk)) < m;) {
            const std::size_t a1 = std::min(m, a0 + chunk);
            for (std::size_t i = a0; i < a1; ++i) {
                if (covered[i]) continue;
                for (; upto < i; ++upto)
                    if (!covered[upto] && death[upto] >= i) act.push_back(static_cast<u32>(upto));
                const double* p = rows + i * d;
                double* lim = lv.lim.data();
                std::size_t r = 0, keep = 0;
                for (std::size_t k = 0; k < e; ++k) bound[k] = ref[k];
                for (std::size_t a = 0, na = act.size(); a < na; ++a) {
                    const u32 j = act[a];
                    if (death[j] < i) continue;
                    if (death[j] > i) act[keep++] = j;
                    const double* q = rows + static_cast<std::size_t>(j) * d;
                    double* l = lim + r * e;
                    for (std::size_t k = 0; k < e; ++k) l[k] = std::max(p[k], q[k]);
                    note_bound<E>(l, p, bound, e);
                    ++r;
                }
                const std::size_t nk = filter_bounded<E>(lv, r, bound, e);
                act.resize(keep);
                const double inner = nk ? hv_limit<E>(c, 0, nk, e) : 0.0;
                contrib[i] = (ref[e] - p[e]) * (box_volume<E>(p, ref, e) - inner);
            }
        }
    });
    double vol = 0.0;
    for (std::size_t i = 0; i < m; ++i) vol += contrib[i];
    return vol;
}

double slice_top_any(const double* rows, std::size_t m, std::size_t d, const double* ref, int base, unsigned t) {
    switch (d) {
        case 4: return slice_top<4>(rows, m, d, ref, base, t);
        case 5: return slice_top<5>(rows, m, d, ref, base, t);
        case 6: return slice_top<6>(rows, m, d, ref, base, t);
        case 7: return slice_top<7>(rows, m, d, ref, base, t);
        case 8: return slice_top<8>(rows, m, d, ref, base, t);
        case 9: return slice_top<9>(rows, m, d, ref, base, t);
        case 10: return slice_top<10>(rows, m, d, ref, base, t);
        case 11: return slice_top<11>(rows, m, d, ref, base, t);
        case 12: return slice_top<12>(rows, m, d, ref, base, t);
        default: return slice_top<0>(rows, m, d, ref, base, t);
    }
}

// Exclusive contributions of the rows `front` (each with its `owned` rows: those that only it
// dominates), representatives in `rep` order.
template <std::size_t D>
void hvc_tasks(const double* rows, std::size_t dd, const double* ref, int base, unsigned t,
               const std::vector<u32>& reps, const std::vector<u32>& front, const std::vector<char>& dup,
               const std::vector<std::vector<u32>>& owned, double* out) {
    const std::size_t d = dim<D>(dd);
    std::atomic<std::size_t> next{0};
    const std::size_t nf = front.size();
    run_workers(t, [&](unsigned) {
        Ctx c(ref, d, base);
        Level& lv = c.lv[0];
        double local[D ? D : 1];
        double* bound = D ? local : nullptr;
        std::vector<double> dyn;
        if (!D) {
            dyn.resize(d);
            bound = dyn.data();
        }
        for (std::size_t f; (f = next.fetch_add(1)) < nf;) {
            const u32 a = front[f];
            if (dup[a]) continue;
            const double* p = rows + static_cast<std::size_t>(reps[a]) * d;
            lv.reserve(nf + owned[a].size(), d);
            double* lim = lv.lim.data();
            std::size_t r = 0;
            for (std::size_t k = 0; k < d; ++k) bound[k] = ref[k];
            auto add = [&](u32 b) {
                const double* q = rows + static_cast<std::size_t>(reps[b]) * d;
                double* l = lim + r * d;
                for (std::size_t k = 0; k < d; ++k) l[k] = std::max(p[k], q[k]);
                note_bound<D>(l, p, bound, d);
                ++r;
            };
            for (const u32 b : front)
                if (b != a) add(b);
            for (const u32 b : owned[a]) add(b);
            const std::size_t nk = filter_bounded<D>(lv, r, bound, d);
            const double inner = nk ? hv_limit<D>(c, 0, nk, d) : 0.0;
            out[reps[a]] = box_volume<D>(p, ref, d) - inner;
        }
    });
}

}  // namespace

double hv_wfg(const double* rows, std::size_t m, std::size_t d, const double* ref, int threads) {
    if (m == 1) return box_volume<0>(rows, ref, d);
    std::vector<double> sorted(m * d);
    if (d == 2) {
        std::copy(rows, rows + m * d, sorted.begin());
        return hv2d(sorted.data(), m, ref);
    }
    if (d == 3) {
        std::copy(rows, rows + m * d, sorted.begin());
        return hv3d(sorted.data(), m, ref);
    }
    const int base = base_dim();
    if (d == 4 && base == 4) return hv4d(rows, m, ref);
    // Origin at ref: fl(x - r) = -fl(r - x), so every box side is the one computed from ref.
    const std::vector<double> zero(d, 0.0);
    std::vector<std::pair<double, u32>> order(m);
    for (std::size_t i = 0; i < m; ++i) order[i] = {rows[i * d + d - 1], static_cast<u32>(i)};
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < m; ++i) {
        const double* r = rows + static_cast<std::size_t>(order[i].second) * d;
        for (std::size_t k = 0; k < d; ++k) sorted[i * d + k] = r[k] - ref[k];
    }
    const unsigned t = std::min<std::size_t>(thread_count(threads), m);
    if (t <= 1) {
        Ctx c(zero.data(), d, base);
        return hv_any(c, 0, sorted.data(), m, d);
    }
    return slice_top_any(sorted.data(), m, d, zero.data(), base, t);
}

void hvc_wfg(const double* in, std::size_t m, std::size_t d, const double* ref_in, double* out, int threads) {
    std::fill(out, out + m, 0.0);
    if (m == 1) {
        out[0] = box_volume<0>(in, ref_in, d);
        return;
    }
    const std::vector<double> zero(d, 0.0);
    const double* ref = zero.data();
    std::vector<double> shifted(m * d);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t k = 0; k < d; ++k) shifted[i * d + k] = in[i * d + k] - ref_in[k];
    const double* rows = shifted.data();
    // Ascending coordinate sum (ties: lexicographic): a row's weak dominators come no later, and
    // equal rows sit side by side.
    std::vector<double> sum(m);
    for (std::size_t i = 0; i < m; ++i) {
        double s = 0.0;
        for (std::size_t k = 0; k < d; ++k) s += rows[i * d + k];
        sum[i] = s;
    }
    std::vector<u32> ord(m);
    std::iota(ord.begin(), ord.end(), 0u);
    auto row = [&](u32 i) { return rows + static_cast<std::size_t>(i) * d; };
    std::sort(ord.begin(), ord.end(), [&](u32 a, u32 b) {
        if (sum[a] != sum[b]) return sum[a] < sum[b];
        return std::lexicographical_compare(row(a), row(a) + d, row(b), row(b) + d);
    });
    std::vector<u32> reps;
    std::vector<char> dup;
    for (std::size_t t = 0; t < m; ++t) {
        if (t > 0 && std::equal(row(ord[t]), row(ord[t]) + d, row(ord[t - 1]))) {
            dup.back() = 1;
            continue;
        }
        reps.push_back(ord[t]);
        dup.push_back(0);
    }
    const std::size_t nr = reps.size();
    constexpr u32 none = ~u32{0};
    std::vector<u32> owner(nr, none);
    std::vector<char> ndom(nr, 0);
    for (std::size_t a = 0; a < nr; ++a) {
        const double* p = row(reps[a]);
        for (std::size_t b = 0; b < a && ndom[a] < 2; ++b) {
            const double* q = row(reps[b]);
            std::size_t k = 0;
            while (k < d && q[k] <= p[k]) ++k;
            if (k == d) {
                if (ndom[a] == 0) owner[a] = static_cast<u32>(b);
                ++ndom[a];
            }
        }
    }
    std::vector<u32> front;
    std::vector<std::vector<u32>> owned(nr);
    for (std::size_t a = 0; a < nr; ++a) {
        if (ndom[a] == 0) front.push_back(static_cast<u32>(a));
        else if (ndom[a] == 1) owned[owner[a]].push_back(static_cast<u32>(a));
    }
    const int base = base_dim();
    const unsigned t = std::min<std::size_t>(thread_count(threads), front.size());
    switch (d) {
        case 2: hvc_tasks<2>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 3: hvc_tasks<3>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 4: hvc_tasks<4>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 5: hvc_tasks<5>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 6: hvc_tasks<6>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 7: hvc_tasks<7>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 8: hvc_tasks<8>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 9: hvc_tasks<9>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 10: hvc_tasks<10>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 11: hvc_tasks<11>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        case 12: hvc_tasks<12>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
        default: hvc_tasks<0>(rows, d, ref, base, t, reps, front, dup, owned, out); break;
    }
}

}  // namespace frontierkit::hv::detail
