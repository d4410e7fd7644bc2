// Hypervolume in two and three objectives by sweeps.
//
// d = 2: sort by the first objective, then a sweep that adds, for each row below the lowest
// second objective so far, the slab between the two; O(n log n) (the sort), O(n) memory.
//
// d = 3: the dimension sweep of Beume, Fonseca, Lopez-Ibanez, Paquete & Vahrenhold ("On the
// complexity of computing the hypervolume indicator", IEEE TEC 13(5), 2009), in the incremental
// form of Guerreiro & Fonseca's HV3D+ ("Computing and updating hypervolume contributions in up
// to four dimensions", IEEE TEC 22(3), 2018): rows in ascending third objective; the area of the
// union of their (x, y) boxes is kept up to date as each row enters a staircase held in a
// balanced search tree (rows it dominates in (x, y) leave it), and each slab between consecutive
// third-objective values adds area x height. O(n log n) time, O(n) memory.
#include <algorithm>
#include <iterator>
#include <map>
#include <numeric>

#include "frontierkit/hypervolume.hpp"

namespace frontierkit::hv::detail {

namespace {

// Rows sorted lexicographically (every row finite here, so plain < is a strict weak order).
template <std::size_t D>
std::vector<std::uint32_t> order_by(const double* rows, std::size_t m, std::size_t key) {
    std::vector<std::uint32_t> idx(m);
    std::iota(idx.begin(), idx.end(), 0u);
    std::sort(idx.begin(), idx.end(), [&](std::uint32_t a, std::uint32_t b) {
        const double* pa = rows + a * D;
        const double* pb = rows + b * D;
        if (pa[key] != pb[key]) return pa[key] < pb[key];
        for (std::size_t k = 0; k < D; ++k)
            if (pa[k] != pb[k]) return pa[k] < pb[k];
        return false;
    });
    return idx;
}

}  // namespace

double hv2d(double* rows, std::size_t m, const double* ref) {
    std::vector<std::pair<double, double>> p(m);
    for (std::size_t i = 0; i < m; ++i) p[i] = {rows[2 * i], rows[2 * i + 1]};
    std::sort(p.begin(), p.end());
    double vol = 0.0, low = ref[1];
    for (const auto& [x, y] : p)
        if (y < low) {
            vol += (ref[0] - x) * (low - y);
            low = y;
        }
    return vol;
}

double hv3d(double* rows, std::size_t m, const double* ref) {
    const std::vector<std::uint32_t> idx = order_by<3>(rows, m, 2);
    // Staircase: x ascending -> y, y strictly descending along it.
    std::map<double, double> stair;
    double area = 0.0, vol = 0.0;
    for (std::size_t t = 0; t < m; ++t) {
        const double* p = rows + idx[t] * 3;
        const double x = p[0], y = p[1];
        auto after = stair.upper_bound(x);  // first step with key > x
        const bool has_prev = after != stair.begin();
        const double y_prev = has_prev ? std::prev(after)->second : ref[1];
        if (y_prev > y) {
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
            area += added;
            stair.erase(first, last);
            stair.emplace(x, y);
        }
        const double z_next = t + 1 < m ? rows[idx[t + 1] * 3 + 2] : ref[2];
        if (z_next > p[2]) vol += area * (z_next - p[2]);
    }
    return vol;
}

}  // namespace frontierkit::hv::detail
