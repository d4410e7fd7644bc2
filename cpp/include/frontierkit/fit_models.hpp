// Curve models and robust losses of the batched fitter, per data point. Plain functions marked
// FK_HD, so the CPU solver, the CUDA kernel and the host tests run the very same code.
//
// Every model evaluates, at one data point, log f or f (whichever its residual needs) and the
// derivatives with respect to its internal parameters. Parameters that must be positive (scales
// such as E, A and B of the Chinchilla law) are held internally as their logarithms, which keeps
// them positive and the problem well scaled; Python maps them to and from the reported values.
//
// Inputs: every model but the sigmoid sees its inputs through their logarithms only, so the
// caller passes u = ln x (checked positive once, and no logarithm per evaluation); the sigmoid
// takes x itself (usually already a log of compute).
//
// Residuals: r = f(x) - y (space LINEAR) or r = log f(x) - log y (space LOG). A model with a
// natural log form (chinchilla, kaplan_nd, loglinear) computes log f directly (log-sum-exp),
// never forming f, so huge or tiny f cannot overflow.
#pragma once

#include <cmath>

#ifndef FK_HD
#if defined(__CUDACC__)
#define FK_HD __host__ __device__ __forceinline__
#else
#define FK_HD inline
#endif
#endif

namespace frontierkit::fit {

constexpr int kMaxParams = 10;

enum Model : int {
    kPower = 0,            // a x^b                                   (a, b)
    kSaturatingPower = 1,  // a x^-b + c                              (a, b, c)
    kChinchilla = 2,       // E + A N^-alpha + B D^-beta              (ln E, ln A, ln B, alpha, beta)
    kKaplanND = 3,         // [(Nc/N)^(aN/aD) + Dc/D]^aD              (ln Nc, ln Dc, aN, aD)
    kBrokenPower = 4,      // a + b x^-c0 (1 + (x/d1)^(1/f1))^(-c1 f1) (a, ln b, c0, c1, ln d1, ln f1)
    kSigmoid = 5,          // lo + (hi - lo) / (1 + exp(-k (x - x0)))  (lo, hi, k, x0)
    kLogLinear = 6,        // c prod_i x_i^a_i                        (ln c, a_1 .. a_v)
    kLogQuadratic = 7,     // c + g.u + sum_{i<=j} h_ij u_i u_j, u = ln x  (c, g_1..g_v, h_11, h_12, ..)
};

enum Space : int { kLinear = 0, kLog = 1 };

enum Loss : int { kL2 = 0, kHuber = 1, kSoftL1 = 2, kCauchy = 3, kArctan = 4, kL1 = 5 };

// Number of parameters of a model with v inputs.
FK_HD int n_params(int model, int v) {
    switch (model) {
        case kPower: return 2;
        case kSaturatingPower: return 3;
        case kChinchilla: return 5;
        case kKaplanND: return 4;
        case kBrokenPower: return 6;
        case kSigmoid: return 4;
        case kLogLinear: return 1 + v;
        case kLogQuadratic: return 1 + v + v * (v + 1) / 2;
        default: return 0;
    }
}

// Whether the model's inputs are passed as their logarithms.
FK_HD bool log_inputs(int model) { return model != kSigmoid; }

// Whether the model computes log f directly (and f = exp(log f) in linear space).
FK_HD bool has_log_form(int model) { return model == kChinchilla || model == kKaplanND || model == kLogLinear; }

// log(exp(a) + exp(b)) and the weight exp(a) / (exp(a) + exp(b)).
FK_HD double lse2(double a, double b, double* wa) {
    const double m = a > b ? a : b;
    if (m == -__builtin_huge_val()) {
        *wa = 0.5;
        return m;
    }
    const double ea = exp(a - m), eb = exp(b - m), s = ea + eb;
    *wa = ea / s;
    return m + log(s);
}

// Value and gradient g[0..P) at input xi (v values; logarithms where log_inputs): log f for the
// models with a log form (has_log_form), f for the others. False where the model is undefined.
FK_HD bool model_eval(int model, int v, const double* xi, const double* p, double* value, double* g) {
    switch (model) {
        case kPower: {  // a x^b
            const double lx = xi[0], xb = exp(p[1] * lx);
            *value = p[0] * xb;
            g[0] = xb;
            g[1] = p[0] * xb * lx;
            return true;
        }
        case kSaturatingPower: {  // a x^-b + c
            const double lx = xi[0], t = exp(-p[1] * lx);
            *value = p[0] * t + p[2];
            g[0] = t;
            g[1] = -p[0] * t * lx;
            g[2] = 1.0;
            return true;
        }
        case kChinchilla: {  // log f = lse(e, a - alpha ln N, b - beta ln D)
            const double ln = xi[0], ld = xi[1];
            const double t0 = p[0], t1 = p[1] - p[3] * ln, t2 = p[2] - p[4] * ld;
            const double m = fmax(t0, fmax(t1, t2));
            const double e0 = exp(t0 - m), e1 = exp(t1 - m), e2 = exp(t2 - m), s = e0 + e1 + e2;
            const double w0 = e0 / s, w1 = e1 / s, w2 = e2 / s;
            *value = m + log(s);
            g[0] = w0;
            g[1] = w1;
            g[2] = w2;
            g[3] = -w1 * ln;
            g[4] = -w2 * ld;
            return true;
        }
        case kKaplanND: {  // log f = aD * lse((aN/aD)(ln Nc - ln N), ln Dc - ln D)
            if (p[3] == 0.0) return false;
            const double dn = p[0] - xi[0], ratio = p[2] / p[3];
            const double s1 = ratio * dn, s2 = p[1] - xi[1];
            double w1;
            const double l = lse2(s1, s2, &w1);
            *value = p[3] * l;
            g[0] = p[2] * w1;
            g[1] = p[3] * (1.0 - w1);
            g[2] = w1 * dn;
            g[3] = l - w1 * s1;
            return true;
        }
        case kBrokenPower: {  // a + exp(q), q = ln b - c0 ln x - c1 f1 softplus((ln x - ln d1) / f1)
            const double lx = xi[0], f1 = exp(p[5]);
            const double t = (lx - p[4]) / f1;
            const double sp = t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
            const double sg = t > 0 ? 1.0 / (1.0 + exp(-t)) : exp(t) / (1.0 + exp(t));
            const double q = p[1] - p[2] * lx - p[3] * f1 * sp, eq = exp(q);
            *value = p[0] + eq;
            g[0] = 1.0;
            g[1] = eq;
            g[2] = -eq * lx;
            g[3] = -eq * f1 * sp;
            g[4] = eq * p[3] * sg;
            g[5] = -eq * p[3] * f1 * (sp - sg * t);
            return true;
        }
        case kSigmoid: {  // lo + (hi - lo) s, s = 1 / (1 + exp(-k (x - x0)))
            const double z = p[2] * (xi[0] - p[3]);
            const double s = z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
            const double ds = s * (1.0 - s), span = p[1] - p[0];
            *value = p[0] + span * s;
            g[0] = 1.0 - s;
            g[1] = s;
            g[2] = span * ds * (xi[0] - p[3]);
            g[3] = -span * ds * p[2];
            return true;
        }
        case kLogLinear: {  // log f = ln c + sum a_i ln x_i
            double lf = p[0];
            g[0] = 1.0;
            for (int i = 0; i < v; ++i) {
                lf += p[1 + i] * xi[i];
                g[1 + i] = xi[i];
            }
            *value = lf;
            return true;
        }
        case kLogQuadratic: {  // c + sum g_i u_i + sum_{i<=j} h_ij u_i u_j
            const double* u = xi;
            double f = p[0];
            g[0] = 1.0;
            int k = 1;
            for (int i = 0; i < v; ++i, ++k) {
                f += p[k] * u[i];
                g[k] = u[i];
            }
            for (int i = 0; i < v; ++i)
                for (int j = i; j < v; ++j, ++k) {
                    f += p[k] * u[i] * u[j];
                    g[k] = u[i] * u[j];
                }
            *value = f;
            return true;
        }
        default: return false;
    }
}

// Residual r and its gradient J[0..P) at one point: r = f - y (linear) or log f - log y (log;
// ly = log y precomputed). False where the model is undefined or f <= 0 in log space.
FK_HD bool residual(int model, int v, int P, int space, const double* xi, double y, const double* p, double* r, double* J) {
    const bool native_log = has_log_form(model);
    const bool want_log = space == kLog;
    double val;
    if (!model_eval(model, v, xi, p, &val, J)) return false;
    if (want_log == native_log) {
        *r = val - y;  // y is log y in log space
    } else if (want_log) {  // log of a linear-form value
        if (!(val > 0)) return false;
        for (int j = 0; j < P; ++j) J[j] /= val;
        *r = log(val) - y;
    } else {  // linear value of a log-form model
        const double f = exp(val);
        for (int j = 0; j < P; ++j) J[j] *= f;
        *r = f - y;
    }
    return *r == *r && fabs(*r) < __builtin_huge_val();
}

// Robust loss of a residual r: per-point loss l(r) = 0.5 s^2 rho((r/s)^2) as in SciPy's
// least_squares (s = f_scale), and the weight psi(r) / r = rho'((r/s)^2) the Gauss-Newton
// (iteratively reweighted) step gives the point. kL1 is l(r) = |r| and has no such weight: the
// solver reaches it through Huber losses of shrinking scale.
FK_HD double loss_value(int loss, double r, double s, double* weight) {
    const double z = (r / s) * (r / s);
    switch (loss) {
        case kHuber:
            if (z <= 1.0) {
                *weight = 1.0;
                return 0.5 * r * r;
            }
            *weight = 1.0 / sqrt(z);
            return 0.5 * s * s * (2.0 * sqrt(z) - 1.0);
        case kSoftL1:
            *weight = 1.0 / sqrt(1.0 + z);
            return s * s * (sqrt(1.0 + z) - 1.0);
        case kCauchy:
            *weight = 1.0 / (1.0 + z);
            return 0.5 * s * s * log1p(z);
        case kArctan:
            *weight = 1.0 / (1.0 + z * z);
            return 0.5 * s * s * atan(z);
        case kL1:
            *weight = 0.0;
            return fabs(r);
        default:
            *weight = 1.0;
            return 0.5 * r * r;
    }
}

// d psi / d r, for the sandwich covariance: the loss's curvature at r.
FK_HD double loss_curvature(int loss, double r, double s) {
    const double z = (r / s) * (r / s);
    switch (loss) {
        case kHuber: return z <= 1.0 ? 1.0 : 0.0;
        case kSoftL1: return pow(1.0 + z, -1.5);
        case kCauchy: return (1.0 - z) / ((1.0 + z) * (1.0 + z));
        case kArctan: return (1.0 - 3.0 * z * z) / ((1.0 + z * z) * (1.0 + z * z));
        case kL1: return 0.0;
        default: return 1.0;
    }
}

}  // namespace frontierkit::fit
