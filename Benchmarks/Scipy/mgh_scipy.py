#!/usr/bin/python3
"""scipy.optimize on the 35 Moré–Garbow–Hillstrom problems, as ExprDiff's catalog (Tests/Solvers/Mgh/) states them.

Issue 12: the note on the solvers tabulates iterations and evaluations per problem and method beside scipy.optimize's
on the same problems. This script
  1. ports the catalog (n, m, x0, residuals, data tables, published minima) to numpy, with analytic Jacobians written
     by hand, and checks the port: f(x0) = Σ r(x0)² against the C# catalog's values (to 1e-12 relative), against the
     published f(x0) where the catalog cites one, f at every stored minimizer, and each Jacobian against central
     differences of the residuals (a check only: no method below uses a numerical Jacobian);
  2. runs scipy.optimize.minimize (BFGS, L-BFGS-B, Newton-CG, trust-ncg, CG) on f = Σr² with ∇f = 2Jᵀr, and
     scipy.optimize.least_squares(method='lm') on r with J, all from x0;
  3. writes Benchmarks/results/mgh-scipy.md, with a comparison against Benchmarks/results/mgh-solvers.md.

Newton-CG and trust-ncg get their Hessian from scipy's finite differences of the analytic gradient (hess='2-point':
n extra gradient evaluations per Hessian, counted in njev).

Run with Debian's python3 (python3-scipy, python3-numpy): python3 Benchmarks/Scipy/mgh_scipy.py
"""

import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import scipy
import scipy.optimize as so

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Benchmarks", "results", "mgh-scipy.md")
EXPRDIFF = os.path.join(ROOT, "Benchmarks", "results", "mgh-solvers.md")

SQ5, SQ10, SQ90, SQA = math.sqrt(5), math.sqrt(10), math.sqrt(90), math.sqrt(1e-5)


class Problem:
    def __init__(self, number, name, n, m, x0, res, jac, minima, published=None, csharp_f0=None, brief_f0=None):
        self.number, self.name, self.n, self.m = number, name, n, m
        self.x0 = np.array(x0, dtype=float)
        self.res, self.jac = res, jac
        # minima: (F, minimizer or None, absolute tolerance of f(minimizer) − F, local)
        self.minima = minima
        self.published = published      # (f(x0) published, relative tolerance, source) or None
        self.csharp_f0 = csharp_f0      # Σ r(x0)² from the C# catalog's residuals (round-trip digits)
        self.brief_f0 = brief_f0        # f(x0) as printed in issue 12's brief (string, its digits)

    def f(self, x):
        r = self.res(x)
        return float(r @ r)

    def grad(self, x):
        return 2.0 * (self.jac(x).T @ self.res(x))


def exact(f, x, tol=1e-28):
    return (f, None if x is None else np.array(x, dtype=float), tol, False)


def refined(f, x, local=False):
    return (f, np.array(x, dtype=float), 1e-10 * abs(f), local)


MINPACK_TOL = 1.2e-7


def norm2(v):
    return v * v


P = []  # the 35 problems, in MGH's order

# ---------------------------------------------------------------------------------------------------------- 1–10


def r1(x):
    return np.array([10 * (x[1] - x[0] * x[0]), 1 - x[0]])


def j1(x):
    return np.array([[-20 * x[0], 10.0], [-1.0, 0.0]])


P.append(Problem(1, "Rosenbrock", 2, 2, [-1.2, 1.0], r1, j1, [exact(0, [1, 1])],
                 (norm2(4.9193496e+00), MINPACK_TOL, "MINPACK-1 lmddrv 4"), 24.199999999999996, "24.2"))


def r2(x):
    return np.array([-13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1], -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1]])


def j2(x):
    return np.array([[1.0, 10 * x[1] - 3 * x[1] ** 2 - 2], [1.0, 3 * x[1] ** 2 + 2 * x[1] - 14]])


P.append(Problem(2, "Freudenstein and Roth", 2, 2, [0.5, -2.0], r2, j2,
                 [exact(0, [5, 4]), refined(48.98425367924002, [11.412778986902094, -0.89680525327447652], True)],
                 (norm2(2.0012496e+01), MINPACK_TOL, "MINPACK-1 lmddrv 7"), 400.5, "400.5"))


def r3(x):
    return np.array([10000 * x[0] * x[1] - 1, math.exp(-x[0]) + math.exp(-x[1]) - 1.0001])


def j3(x):
    return np.array([[10000 * x[1], 10000 * x[0]], [-math.exp(-x[0]), -math.exp(-x[1])]])


P.append(Problem(3, "Powell badly scaled", 2, 2, [0.0, 1.0], r3, j3, [(0.0, np.array([1.098e-5, 9.106]), 2e-7, False)],
                 (norm2(1.0654866e+00), MINPACK_TOL, "MINPACK-1 hybdrv 3"), 1.1352617173483783, "1.13526172"))


def r4(x):
    return np.array([x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2])


def j4(x):
    return np.array([[1.0, 0.0], [0.0, 1.0], [x[1], x[0]]])


P.append(Problem(4, "Brown badly scaled", 2, 3, [1.0, 1.0], r4, j4, [exact(0, [1e6, 2e-6])], None,
                 999998000003.0, "999998000003"))

BEALE_Y = [1.5, 2.25, 2.625]


def r5(x):
    return np.array([1.5 - x[0] * (1 - x[1]), 2.25 - x[0] * (1 - x[1] * x[1]), 2.625 - x[0] * (1 - x[1] * x[1] * x[1])])


def j5(x):
    return np.array([[-(1 - x[1] ** i), x[0] * i * x[1] ** (i - 1)] for i in (1, 2, 3)])


P.append(Problem(5, "Beale", 2, 3, [1.0, 1.0], r5, j5, [exact(0, [3, 0.5])], None, 14.203125, "14.203125"))

I10 = np.arange(1, 11, dtype=float)


def r6(x):
    return 2 + 2 * I10 - (np.exp(I10 * x[0]) + np.exp(I10 * x[1]))


def j6(x):
    return np.column_stack([-I10 * np.exp(I10 * x[0]), -I10 * np.exp(I10 * x[1])])


P.append(Problem(6, "Jennrich and Sampson", 2, 10, [0.3, 0.4], r6, j6,
                 [refined(124.36218235561485, [0.25782521367036408, 0.25782521367036408])],
                 (norm2(6.4585650e+01), MINPACK_TOL, "MINPACK-1 lmddrv 13"), 4171.306161960493, "4171.30616"))


def theta7(x):
    if x[0] > 0:
        return math.atan(x[1] / x[0]) / (2 * math.pi)
    if x[0] < 0:
        return math.atan(x[1] / x[0]) / (2 * math.pi) + 0.5
    return 0.25 if x[1] >= 0 else -0.25


def r7(x):
    return np.array([10 * (x[2] - 10 * theta7(x)), 10 * (math.sqrt(x[0] * x[0] + x[1] * x[1]) - 1), x[2]])


def j7(x):
    q = x[0] * x[0] + x[1] * x[1]
    rho = math.sqrt(q)
    dt0 = -x[1] / (2 * math.pi * q) if q > 0 else 0.0
    dt1 = x[0] / (2 * math.pi * q) if q > 0 else 0.0
    return np.array([[-100 * dt0, -100 * dt1, 10.0],
                     [10 * x[0] / rho if rho > 0 else 0.0, 10 * x[1] / rho if rho > 0 else 0.0, 0.0],
                     [0.0, 0.0, 1.0]])


P.append(Problem(7, "Helical valley", 3, 3, [-1.0, 0.0, 0.0], r7, j7, [exact(0, [1, 0, 0])],
                 (norm2(5.0000000e+01), MINPACK_TOL, "MINPACK-1 lmddrv 5"), 2500.0, "2500"))

BARD_Y = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39])
BARD_U = np.arange(1, 16, dtype=float)
BARD_V = 16 - BARD_U
BARD_W = np.minimum(BARD_U, BARD_V)


def r8(x):
    return BARD_Y - (x[0] + BARD_U / (BARD_V * x[1] + BARD_W * x[2]))


def j8(x):
    d2 = (BARD_V * x[1] + BARD_W * x[2]) ** 2
    return np.column_stack([-np.ones(15), BARD_U * BARD_V / d2, BARD_U * BARD_W / d2])


P.append(Problem(8, "Bard", 3, 15, [1.0, 1.0, 1.0], r8, j8,
                 [refined(0.008214877306578975, [0.082410559749788932, 1.1330360920297216, 2.3436951786425371]),
                  (17.4286, None, 0, True)],
                 (norm2(6.4561363e+00), MINPACK_TOL, "MINPACK-1 lmddrv 8"), 41.68169586167801, "41.6816959"))

GAUSS_Y = np.array([0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540,
                    0.0175, 0.0044, 0.0009])
GAUSS_T = (8 - np.arange(1, 16)) / 2.0


def r9(x):
    return x[0] * np.exp(-x[1] * (GAUSS_T - x[2]) ** 2 / 2) - GAUSS_Y


def j9(x):
    d = GAUSS_T - x[2]
    e = np.exp(-x[1] * d ** 2 / 2)
    return np.column_stack([e, -x[0] * e * d ** 2 / 2, x[0] * e * x[1] * d])


P.append(Problem(9, "Gaussian", 3, 15, [0.4, 1.0, 0.0], r9, j9,
                 [refined(1.1279327696186480e-8, [0.39895613783875668, 1.0000190844878057, 0.0])], None,
                 3.888106991166885e-06, "3.88810699e-6"))

MEYER_Y = np.array([34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307,
                    2872], dtype=float)
MEYER_T = 45 + 5 * np.arange(1, 17, dtype=float)


def r10(x):
    return x[0] * np.exp(x[1] / (MEYER_T + x[2])) - MEYER_Y


def j10(x):
    d = MEYER_T + x[2]
    e = np.exp(x[1] / d)
    return np.column_stack([e, x[0] * e / d, -x[0] * e * x[1] / d ** 2])


P.append(Problem(10, "Meyer", 3, 16, [0.02, 4000.0, 250.0], r10, j10,
                 [refined(87.945855170851121, [0.0056096364710280525, 6181.3463462863723, 345.2236346241365])],
                 (norm2(4.1153467e+04), MINPACK_TOL, "MINPACK-1 lmddrv 10"), 1693607809.4361455, "1.69360781e9"))

# ---------------------------------------------------------------------------------------------------------- 11–20

GULF_T = np.arange(1, 100) / 100.0
GULF_Y = 25 + np.power(-50 * np.log(GULF_T), 2.0 / 3)


def r11(x):
    return np.exp(-np.power(np.abs(GULF_Y - x[1]), x[2]) / x[0]) - GULF_T


def j11(x):
    d = GULF_Y - x[1]
    a = np.abs(d)
    p = np.power(a, x[2])
    e = np.exp(-p / x[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        loga = np.where(a > 0, np.log(np.where(a > 0, a, 1.0)), 0.0)
        dp_da = np.where(a > 0, x[2] * np.power(a, x[2] - 1), 0.0)
    return np.column_stack([e * p / x[0] ** 2, e / x[0] * dp_da * np.sign(d), -e / x[0] * p * loga])


P.append(Problem(11, "Gulf research and development", 3, 99, [5.0, 2.5, 0.15], r11, j11,
                 [exact(0, [50, 25, 1.5], 1e-24)], None, 12.11070582556949, "12.1107058"))

BOX_I = np.arange(1, 11, dtype=float)


def r12(x):
    return np.exp(-0.1 * BOX_I * x[0]) - np.exp(-0.1 * BOX_I * x[1]) - x[2] * (np.exp(-0.1 * BOX_I) - np.exp(-BOX_I))


def j12(x):
    t = 0.1 * BOX_I
    return np.column_stack([-t * np.exp(-t * x[0]), t * np.exp(-t * x[1]), -(np.exp(-0.1 * BOX_I) - np.exp(-BOX_I))])


P.append(Problem(12, "Box three-dimensional", 3, 10, [0.0, 10.0, 20.0], r12, j12,
                 [exact(0, [1, 10, 1]), exact(0, [10, 1, -1]), exact(0, [2, 2, 0], 0)],
                 (norm2(3.2111584e+01), MINPACK_TOL, "MINPACK-1 lmddrv 12"), 1031.1538106093983, "1031.15381"))


def r13(x):
    return np.array([x[0] + 10 * x[1], SQ5 * (x[2] - x[3]), (x[1] - 2 * x[2]) ** 2, SQ10 * (x[0] - x[3]) ** 2])


def j13(x):
    a, b = x[1] - 2 * x[2], x[0] - x[3]
    return np.array([[1.0, 10, 0, 0], [0, 0, SQ5, -SQ5], [0, 2 * a, -4 * a, 0], [2 * SQ10 * b, 0, 0, -2 * SQ10 * b]])


P.append(Problem(13, "Powell singular", 4, 4, [3.0, -1.0, 0.0, 1.0], r13, j13, [exact(0, [0, 0, 0, 0])],
                 (norm2(1.4662878e+01), MINPACK_TOL, "MINPACK-1 lmddrv 6"), 215.00000000000003, "215"))


def r14(x):
    return np.array([10 * (x[1] - x[0] * x[0]), 1 - x[0], SQ90 * (x[3] - x[2] * x[2]), 1 - x[2],
                     SQ10 * (x[1] + x[3] - 2), (x[1] - x[3]) / SQ10])


def j14(x):
    return np.array([[-20 * x[0], 10, 0, 0], [-1.0, 0, 0, 0], [0, 0, -2 * SQ90 * x[2], SQ90], [0, 0, -1.0, 0],
                     [0, SQ10, 0, SQ10], [0, 1 / SQ10, 0, -1 / SQ10]])


P.append(Problem(14, "Wood", 4, 6, [-3.0, -1.0, -3.0, -1.0], r14, j14, [exact(0, [1, 1, 1, 1])], None, 19192.0, "19192"))

KO_Y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246])
KO_U = np.array([4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])


def r15(x):
    return KO_Y - x[0] * (KO_U * KO_U + KO_U * x[1]) / (KO_U * KO_U + KO_U * x[2] + x[3])


def j15(x):
    num = KO_U * KO_U + KO_U * x[1]
    den = KO_U * KO_U + KO_U * x[2] + x[3]
    return np.column_stack([-num / den, -x[0] * KO_U / den, x[0] * num * KO_U / den ** 2, x[0] * num / den ** 2])


P.append(Problem(15, "Kowalik and Osborne", 4, 11, [0.25, 0.39, 0.415, 0.39], r15, j15,
                 [refined(3.0750560384923743e-4,
                          [0.19280693457903785, 0.19128232873436696, 0.12305650692632065, 0.13606233068379484]),
                  (1.02734e-3, None, 0, True)],
                 (norm2(7.2891510e-02), MINPACK_TOL, "MINPACK-1 lmddrv 9"), 0.00531317227210854, "5.31317227e-3"))

BD_T = np.arange(1, 21) / 5.0


def r16(x):
    return (x[0] + BD_T * x[1] - np.exp(BD_T)) ** 2 + (x[2] + x[3] * np.sin(BD_T) - np.cos(BD_T)) ** 2


def j16(x):
    a = x[0] + BD_T * x[1] - np.exp(BD_T)
    b = x[2] + x[3] * np.sin(BD_T) - np.cos(BD_T)
    return np.column_stack([2 * a, 2 * a * BD_T, 2 * b, 2 * b * np.sin(BD_T)])


P.append(Problem(16, "Brown and Dennis", 4, 20, [25.0, 5.0, -5.0, -1.0], r16, j16,
                 [refined(85822.201626356345,
                          [-11.594439904762165, 13.203630051207204, -0.40343948817685952, 0.2367787744557363])],
                 (norm2(2.8154384e+03), MINPACK_TOL, "MINPACK-1 lmddrv 14"), 7926693.336997432, "7926693.34"))

OS1_Y = np.array([0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658,
                  0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431,
                  0.424, 0.420, 0.414, 0.411, 0.406])
OS1_T = 10.0 * np.arange(0, 33)


def r17(x):
    return OS1_Y - (x[0] + x[1] * np.exp(-OS1_T * x[3]) + x[2] * np.exp(-OS1_T * x[4]))


def j17(x):
    e1, e2 = np.exp(-OS1_T * x[3]), np.exp(-OS1_T * x[4])
    return np.column_stack([-np.ones(33), -e1, -e2, x[1] * OS1_T * e1, x[2] * OS1_T * e2])


P.append(Problem(17, "Osborne 1", 5, 33, [0.5, 1.5, -1.0, 0.01, 0.02], r17, j17,
                 [refined(5.4648946974829064e-5, [0.37541005210695204, 1.9358469127123674, -1.4646871366134231,
                                                  0.012867534640057289, 0.022122699661672611])],
                 (norm2(9.3756402e-01), MINPACK_TOL, "MINPACK-1 lmddrv 17"), 0.8790262935446405, "0.879026294"))

BIGGS_I = np.arange(1, 14, dtype=float)
BIGGS_Y = np.exp(-0.1 * BIGGS_I) - 5 * np.exp(-BIGGS_I) + 3 * np.exp(-0.4 * BIGGS_I)


def r18(x):
    t = -0.1 * BIGGS_I
    return x[2] * np.exp(t * x[0]) - x[3] * np.exp(t * x[1]) + x[5] * np.exp(t * x[4]) - BIGGS_Y


def j18(x):
    t = -0.1 * BIGGS_I
    e0, e1, e4 = np.exp(t * x[0]), np.exp(t * x[1]), np.exp(t * x[4])
    return np.column_stack([x[2] * t * e0, -x[3] * t * e1, e0, -e1, x[5] * t * e4, e4])


P.append(Problem(18, "Biggs EXP6", 6, 13, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0], r18, j18,
                 [exact(0, [1, 10, 1, 5, 4, 3]),
                  refined(0.0056556499254999310, [1.7114159947195876, 17.683198180949067, 1.1631436609188925,
                                                  5.1865615519934518, 1.7114159947195876, 1.1631436609188925], True)],
                 None, 0.77907007565597, "0.779070076"))

OS2_Y = np.array([1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608, 0.655,
                  0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558,
                  0.533, 0.495, 0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562,
                  0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739, 0.710,
                  0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054])
OS2_T = np.arange(0, 65) / 10.0
OS2_GAUSS = ((1, 5, 8), (2, 6, 9), (3, 7, 10))  # (amplitude, width, centre) indices


def r19(x):
    model = x[0] * np.exp(-OS2_T * x[4])
    for a, w, c in OS2_GAUSS:
        model = model + x[a] * np.exp(-(OS2_T - x[c]) ** 2 * x[w])
    return OS2_Y - model


def j19(x):
    J = np.zeros((65, 11))
    e = np.exp(-OS2_T * x[4])
    J[:, 0] = -e
    J[:, 4] = x[0] * OS2_T * e
    for a, w, c in OS2_GAUSS:
        d = OS2_T - x[c]
        g = np.exp(-d ** 2 * x[w])
        J[:, a] = -g
        J[:, w] = x[a] * d ** 2 * g
        J[:, c] = -x[a] * g * 2 * d * x[w]
    return J


P.append(Problem(19, "Osborne 2", 11, 65, [1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5], r19, j19,
                 [refined(0.040137736293547738,
                          [1.3099771546273005, 0.43155379460298892, 0.633661698960724, 0.5994305347859163,
                           0.75418322632801128, 0.90428857985963366, 1.3658118352370285, 4.8236988172271556,
                           2.3986848661317546, 4.5688745976676716, 5.6753414705806412])],
                 (norm2(1.4468654e+00), MINPACK_TOL, "MINPACK-1 lmddrv 18"), 2.093419514212065, "2.09341951"))

WAT_T = np.arange(1, 30) / 29.0


def r20(x):
    n = len(x)
    r = np.empty(31)
    for k, t in enumerate(WAT_T):
        s1 = sum((j - 1) * x[j - 1] * t ** (j - 2) for j in range(2, n + 1))
        s2 = sum(x[j - 1] * t ** (j - 1) for j in range(1, n + 1))
        r[k] = s1 - s2 * s2 - 1
    r[29] = x[0]
    r[30] = x[1] - x[0] * x[0] - 1
    return r


def j20(x):
    n = len(x)
    J = np.zeros((31, n))
    for k, t in enumerate(WAT_T):
        s2 = sum(x[j - 1] * t ** (j - 1) for j in range(1, n + 1))
        for j in range(1, n + 1):
            J[k, j - 1] = (j - 1) * t ** (j - 2) if j >= 2 else 0.0
            J[k, j - 1] -= 2 * s2 * t ** (j - 1)
    J[29, 0] = 1.0
    J[30, 0] = -2 * x[0]
    J[30, 1] = 1.0
    return J


P.append(Problem(20, "Watson", 6, 31, [0.0] * 6, r20, j20,
                 [refined(0.0022876700535524362, [-0.015725086401458457, 1.0124348693691099, -0.23299162595673768,
                                                  1.2604300877996083, -1.5137289227222797, 0.99299643243113452])],
                 (norm2(5.4772256e+00), MINPACK_TOL, "MINPACK-1 lmddrv 11"), 30.0, "30"))

# ---------------------------------------------------------------------------------------------------------- 21–31


def repeat(pattern, n):
    return [pattern[i % len(pattern)] for i in range(n)]


def r21(x):
    r = np.empty(len(x))
    r[0::2] = 10 * (x[1::2] - x[0::2] * x[0::2])
    r[1::2] = 1 - x[0::2]
    return r


def j21(x):
    n = len(x)
    J = np.zeros((n, n))
    for k in range(0, n, 2):
        J[k, k], J[k, k + 1] = -20 * x[k], 10.0
        J[k + 1, k] = -1.0
    return J


P.append(Problem(21, "Extended Rosenbrock", 10, 10, repeat([-1.2, 1.0], 10), r21, j21, [exact(0, [1.0] * 10)], None,
                 121.0, "121"))


def r22(x):
    r = np.empty(len(x))
    for k in range(0, len(x), 4):
        r[k] = x[k] + 10 * x[k + 1]
        r[k + 1] = SQ5 * (x[k + 2] - x[k + 3])
        r[k + 2] = (x[k + 1] - 2 * x[k + 2]) ** 2
        r[k + 3] = SQ10 * (x[k] - x[k + 3]) ** 2
    return r


def j22(x):
    n = len(x)
    J = np.zeros((n, n))
    for k in range(0, n, 4):
        J[k:k + 4, k:k + 4] = j13(x[k:k + 4])
    return J


P.append(Problem(22, "Extended Powell singular", 12, 12, repeat([3.0, -1.0, 0.0, 1.0], 12), r22, j22,
                 [exact(0, [0.0] * 12)], None, 645.0, "645"))


def r23(x):
    return np.append(SQA * (x - 1), x @ x - 0.25)


def j23(x):
    return np.vstack([SQA * np.eye(len(x)), 2 * x])


P.append(Problem(23, "Penalty I", 10, 11, list(range(1, 11)), r23, j23,
                 [refined(7.0876514670903694e-5, [0.15812230111311636] * 10)], None, 148032.56535, "148032.56535"))


def r24(x):
    n = len(x)
    r = np.empty(2 * n)
    r[0] = x[0] - 0.2
    i = np.arange(2, n + 1)
    r[1:n] = SQA * (np.exp(x[1:] / 10) + np.exp(x[:-1] / 10) - (np.exp(i / 10.0) + np.exp((i - 1) / 10.0)))
    r[n:2 * n - 1] = SQA * (np.exp(x[1:] / 10) - math.exp(-0.1))
    r[2 * n - 1] = np.sum((n - np.arange(1, n + 1) + 1) * x * x) - 1
    return r


def j24(x):
    n = len(x)
    J = np.zeros((2 * n, n))
    J[0, 0] = 1.0
    for i in range(2, n + 1):          # 1-based residual i, 2 ≤ i ≤ n
        J[i - 1, i - 1] = SQA * math.exp(x[i - 1] / 10) / 10
        J[i - 1, i - 2] = SQA * math.exp(x[i - 2] / 10) / 10
    for i in range(n + 1, 2 * n):      # n < i < 2n: x[i − n] (0-based)
        J[i - 1, i - n] = SQA * math.exp(x[i - n] / 10) / 10
    J[2 * n - 1] = 2 * (n - np.arange(1, n + 1) + 1) * x
    return J


P.append(Problem(24, "Penalty II", 10, 20, [0.5] * 10, r24, j24,
                 [refined(2.9366053745674594e-4, [0.19998360519782361, 0.0103506484712923, 0.0196049344804384,
                                                  0.03208906722068565, 0.049932677399641297, 0.076513995153993609,
                                                  0.11862407286950418, 0.19214487233557668, 0.34732058694184362,
                                                  0.36916437415935084])],
                 None, 162.65277656596712, "162.652777"))


def r25(x):
    s = np.sum(np.arange(1, len(x) + 1) * (x - 1))
    return np.concatenate([x - 1, [s, s * s]])


def j25(x):
    n = len(x)
    j = np.arange(1, n + 1, dtype=float)
    s = np.sum(j * (x - 1))
    return np.vstack([np.eye(n), j, 2 * s * j])


P.append(Problem(25, "Variably dimensioned", 10, 12, [1 - j / 10.0 for j in range(1, 11)], r25, j25,
                 [exact(0, [1.0] * 10)], None, 2198551.1625, "2198551.1625"))


def r26(x):
    n = len(x)
    i = np.arange(1, n + 1)
    return n - np.sum(np.cos(x)) + i * (1 - np.cos(x)) - np.sin(x)


def j26(x):
    n = len(x)
    i = np.arange(1, n + 1)
    return np.tile(np.sin(x), (n, 1)) + np.diag(i * np.sin(x) - np.cos(x))


P.append(Problem(26, "Trigonometric", 10, 10, [0.1] * 10, r26, j26, [exact(0, None, 0)],
                 (norm2(8.4117534e-02), MINPACK_TOL, "MINPACK-1 hybdrv 11"), 0.0070757594662228356, "7.07575947e-3"))


def r27(x):
    n = len(x)
    r = x[:-1] + np.sum(x) - (n + 1)
    return np.append(r, np.prod(x) - 1)


def j27(x):
    n = len(x)
    J = np.ones((n, n)) + np.eye(n)
    for j in range(n):
        J[n - 1, j] = np.prod(np.delete(x, j))
    return J


P.append(Problem(27, "Brown almost-linear", 10, 10, [0.5] * 10, r27, j27,
                 [exact(0, [1.0] * 10), (1.0, np.array([0.0] * 9 + [11.0]), 0, True)],
                 (norm2(1.6530216e+01), MINPACK_TOL, "MINPACK-1 lmddrv 16"), 273.2480478286743, "273.248048"))


def x0_28(n):
    return [j / (n + 1.0) * (j / (n + 1.0) - 1) for j in range(1, n + 1)]


def r28(x):
    n = len(x)
    t = np.arange(1, n + 1) / (n + 1.0)
    xl = np.concatenate([[0.0], x[:-1]])
    xr = np.concatenate([x[1:], [0.0]])
    return 2 * x - xl - xr + (x + t + 1) ** 3 / (2.0 * (n + 1) * (n + 1))


def j28(x):
    n = len(x)
    t = np.arange(1, n + 1) / (n + 1.0)
    J = np.diag(2 + 3 * (x + t + 1) ** 2 / (2.0 * (n + 1) * (n + 1)))
    J -= np.eye(n, k=1) + np.eye(n, k=-1)
    return J


P.append(Problem(28, "Discrete boundary value", 10, 10, x0_28(10), r28, j28, [exact(0, None, 0)],
                 (norm2(2.8080582e-02), MINPACK_TOL, "MINPACK-1 hybdrv 9"), 0.00078851910126482, "7.88519101e-4"))


def r29(x):
    n = len(x)
    t = np.arange(1, n + 1) / (n + 1.0)
    c = (x + t + 1) ** 3
    r = np.empty(n)
    for i in range(n):
        lo = np.sum(t[:i + 1] * c[:i + 1])
        hi = np.sum((1 - t[i + 1:]) * c[i + 1:])
        r[i] = x[i] + ((1 - t[i]) * lo + t[i] * hi) / (2 * (n + 1.0))
    return r


def j29(x):
    n = len(x)
    t = np.arange(1, n + 1) / (n + 1.0)
    dc = 3 * (x + t + 1) ** 2
    J = np.eye(n)
    for i in range(n):
        for j in range(n):
            w = (1 - t[i]) * t[j] if j <= i else t[i] * (1 - t[j])
            J[i, j] += w * dc[j] / (2 * (n + 1.0))
    return J


P.append(Problem(29, "Discrete integral equation", 10, 10, x0_28(10), r29, j29, [exact(0, None, 0)],
                 (norm2(2.5182701e-01), MINPACK_TOL, "MINPACK-1 hybdrv 10"), 0.06341684157945264, "6.34168416e-2"))


def r30(x):
    xl = np.concatenate([[0.0], x[:-1]])
    xr = np.concatenate([x[1:], [0.0]])
    return (3 - 2 * x) * x - xl - 2 * xr + 1


def j30(x):
    n = len(x)
    return np.diag(3 - 4 * x) - np.eye(n, k=-1) - 2 * np.eye(n, k=1)


P.append(Problem(30, "Broyden tridiagonal", 10, 10, [-1.0] * 10, r30, j30, [exact(0, None, 0)],
                 (norm2(4.5825757e+00), MINPACK_TOL, "MINPACK-1 hybdrv 13"), 21.0, "21"))


def r31(x):
    n = len(x)
    r = np.empty(n)
    for i in range(n):
        s = sum(x[j] * (1 + x[j]) for j in range(max(0, i - 5), min(n - 1, i + 1) + 1) if j != i)
        r[i] = x[i] * (2 + 5 * x[i] * x[i]) + 1 - s
    return r


def j31(x):
    n = len(x)
    J = np.zeros((n, n))
    for i in range(n):
        for j in range(max(0, i - 5), min(n - 1, i + 1) + 1):
            J[i, j] = 2 + 15 * x[i] * x[i] if j == i else -(1 + 2 * x[j])
    return J


P.append(Problem(31, "Broyden banded", 10, 10, [-1.0] * 10, r31, j31, [exact(0, None, 0)],
                 (norm2(1.8973666e+01), MINPACK_TOL, "MINPACK-1 hybdrv 14"), 360.0, "360"))

# ---------------------------------------------------------------------------------------------------------- 32–35


def r32(x):
    n = len(x)
    return np.concatenate([x, np.zeros(10 - n)]) - 2.0 / 10 * np.sum(x) - 1


def j32(x):
    return np.eye(10, len(x)) - 0.2


P.append(Problem(32, "Linear function - full rank", 5, 10, [1.0] * 5, r32, j32, [exact(5, [-1.0] * 5, 1e-14)],
                 (norm2(5.0000000e+00), MINPACK_TOL, "MINPACK-1 lmddrv 1"), 25.0, "25"))

I10i = np.arange(1, 11, dtype=float)


def r33(x):
    return I10i * np.sum(np.arange(1, len(x) + 1) * x) - 1


def j33(x):
    return np.outer(I10i, np.arange(1, len(x) + 1, dtype=float))


P.append(Problem(33, "Linear function - rank 1", 5, 10, [1.0] * 5, r33, j33,
                 [exact(15.0 / 7, [1.0 / 7, 0, 0, 0, 0], 1e-14)],
                 (norm2(2.9152187e+02), MINPACK_TOL, "MINPACK-1 lmddrv 2"), 84985.0, "84985"))


def r34(x):
    n = len(x)
    s = np.sum(np.arange(2, n) * x[1:n - 1])
    r = (I10i - 1) * s - 1
    r[0] = r[9] = -1.0
    return r


def j34(x):
    n = len(x)
    J = np.zeros((10, n))
    J[1:9, 1:n - 1] = np.outer(I10i[1:9] - 1, np.arange(2, n, dtype=float))
    return J


P.append(Problem(34, "Linear function - rank 1 with zero columns and rows", 5, 10, [1.0] * 5, r34, j34,
                 [exact(62.0 / 17, [0, 3.0 / 34, 0, 0, 0], 1e-14)],
                 (norm2(1.2603968e+02), MINPACK_TOL, "MINPACK-1 lmddrv 3"), 15886.0, "15886"))


def cheb_t(i, z):
    # As the C# catalog: cos(i·acos z) on [−1, 1], ±cosh(i·acosh |z|) outside.
    inside = np.abs(z) <= 1
    zi = np.clip(z, -1, 1)
    za = np.maximum(np.abs(z), 1)
    sign = np.where((z > 0) | (i % 2 == 0), 1.0, -1.0)
    return np.where(inside, np.cos(i * np.arccos(zi)), sign * np.cosh(i * np.arccosh(za)))


def r35(x):
    n = len(x)
    z = 2 * x - 1
    return np.array([np.sum(cheb_t(i, z)) / n - (-1.0 / (i * i - 1) if i % 2 == 0 else 0) for i in range(1, n + 1)])


def j35(x):
    n = len(x)
    z = 2 * x - 1
    # Tᵢ'(z) = i·Uᵢ₋₁(z), U by its recurrence (U₀ = 1, U₁ = 2z); d/dx = 2 d/dz.
    U = [np.ones_like(z), 2 * z]
    for k in range(2, n):
        U.append(2 * z * U[-1] - U[-2])
    return np.array([2 * i * U[i - 1] / n for i in range(1, n + 1)])


P.append(Problem(35, "Chebyquad", 10, 10, [j / 11.0 for j in range(1, 11)], r35, j35,
                 [refined(0.0065039548008823061, [0.059619900535812704, 0.16670828183586141, 0.23917065894260849,
                                                  0.39888429230604449, 0.39888429230604449, 0.60111570769395551,
                                                  0.60111570769395551, 0.76082934105739151, 0.83329171816413859,
                                                  0.9403800994641873])],
                 (norm2(1.8374783e-01), MINPACK_TOL, "MINPACK-1 lmddrv 15"), 0.03376326546288006, "3.37632655e-2"))

# ---------------------------------------------------------------------------------------------------------- checks


def sig_digits(s):
    mant = s.lower().split("e")[0].replace(".", "").replace("-", "").lstrip("0")
    return len(mant)


def check_port():
    """Returns a list of mismatch lines (empty when the port agrees everywhere)."""
    bad = []
    assert [p.number for p in P] == list(range(1, 36))
    for p in P:
        r0 = p.res(p.x0)
        if len(p.x0) != p.n or len(r0) != p.m or p.jac(p.x0).shape != (p.m, p.n):
            bad.append(f"{p.number}: shapes n={len(p.x0)} m={len(r0)} J={p.jac(p.x0).shape}, catalog n={p.n} m={p.m}")
        f0 = float(r0 @ r0)
        if abs(f0 - p.csharp_f0) > 1e-12 * abs(p.csharp_f0):
            bad.append(f"{p.number}: f(x0) = {f0!r}, C# catalog Σr² = {p.csharp_f0!r}")
        d = sig_digits(p.brief_f0)
        if float(f"{f0:.{d - 1}e}") != float(p.brief_f0):
            bad.append(f"{p.number}: f(x0) = {f0!r} does not round to the brief's {p.brief_f0}")
        if p.published is not None:
            v, tol, src = p.published
            if abs(f0 - v) > tol * abs(v):
                bad.append(f"{p.number}: f(x0) = {f0!r}, published {v!r} ({src})")
        for F, xm, tol, _ in p.minima:
            if xm is not None:
                fm = p.f(xm)
                if abs(fm - F) > tol:
                    bad.append(f"{p.number}: f(minimizer) = {fm!r}, f* = {F!r} (tolerance {tol:g})")
        # Analytic Jacobian against central differences, at x0 and at a nearby point.
        rng = np.random.default_rng(p.number)
        for x in (p.x0, p.x0 + 0.01 * rng.standard_normal(p.n) * np.maximum(1, np.abs(p.x0))):
            J = p.jac(x)
            Jn = np.empty_like(J)
            for k in range(p.n):
                h = 1e-6 * max(1.0, abs(x[k]))
                e = np.zeros(p.n)
                e[k] = h
                Jn[:, k] = (p.res(x + e) - p.res(x - e)) / (2 * h)
            # Rounding in r (about 1e-16·|r|, divided by the step) bounds how well differences can agree.
            noise = 1e-15 * np.max(np.abs(p.res(x))) / min(1e-6 * max(1.0, abs(v)) for v in x)
            err = np.max(np.abs(J - Jn)) / max(1.0, np.max(np.abs(J)))
            if not err < 1e-6 + noise:
                bad.append(f"{p.number}: Jacobian differs from central differences by {err:.2e} (relative)")
    return bad


# ---------------------------------------------------------------------------------------------------------- runs

METHODS = ["BFGS", "L-BFGS-B", "Newton-CG", "trust-ncg", "CG", "lm"]
# The same two methods with the stopping test they fail on tightened: L-BFGS-B without its relative-reduction test
# (ftol 0, so only gtol 1e-10 and the budgets stop it), Newton-CG with xtol 1e-10 instead of its default 1e-5.
VARIANTS = ["L-BFGS-B ftol 0", "Newton-CG xtol 1e-10"]


def success(p, f):
    return any(abs(f - F) <= 1e-8 * max(1.0, abs(F)) for F, _, _, _ in p.minima)


def run(p, method):
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                if method == "lm":
                    res = so.least_squares(p.res, p.x0, jac=p.jac, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15,
                                           max_nfev=100000)
                    f = float(res.fun @ res.fun)   # 2·cost
                    it, nfev, njev = res.njev, res.nfev, res.njev
                else:
                    opts = {"maxiter": 20000}
                    kw = {}
                    if method in ("BFGS", "L-BFGS-B", "trust-ncg", "CG"):
                        opts["gtol"] = 1e-10
                    if method == "L-BFGS-B":
                        opts["maxfun"] = 100000
                    if method in ("Newton-CG", "trust-ncg"):
                        kw["hess"] = "2-point"
                    if method == "L-BFGS-B ftol 0":
                        method, opts["gtol"], opts["maxfun"], opts["ftol"] = "L-BFGS-B", 1e-10, 100000, 0.0
                    if method == "Newton-CG xtol 1e-10":
                        method, opts["xtol"], kw["hess"] = "Newton-CG", 1e-10, "2-point"
                    res = so.minimize(p.f, p.x0, jac=p.grad, method=method, options=opts, **kw)
                    f = float(res.fun)
                    it, nfev, njev = res.nit, res.nfev, res.get("njev", 0)
                msg = str(res.message)
            except Exception as e:  # a method that raises counts as a failure
                f, it, nfev, njev, msg = float("nan"), 0, 0, 0, f"{type(e).__name__}: {e}"
    ok = bool(np.isfinite(f)) and success(p, f)
    return dict(ok=ok, f=f, it=int(it), nfev=int(nfev), njev=int(njev), msg=msg, s=time.perf_counter() - t)


def cell(r):
    if r["ok"]:
        return f"✓ {r['it']} / {r['nfev']}"
    return f"✗ {r['it']} / {r['nfev']} (f = {r['f']:.6g})"


# ---------------------------------------------------------------------------------------------------------- ExprDiff

EXPRDIFF_COLS = ["Newton", "L-BFGS", "trust-region Newton-CG", "nonlinear CG", "Levenberg–Marquardt"]


def read_exprdiff():
    """{problem: [(ok, it, evals) per column of EXPRDIFF_COLS]} from mgh-solvers.md, or None."""
    if not os.path.exists(EXPRDIFF):
        return None
    rows = {}
    for line in open(EXPRDIFF, encoding="utf-8"):
        m = re.match(r"\|\s*(\d+)\s*\|[^|]*\|(.*)\|\s*$", line)
        if not m:
            continue
        cells = [c.strip() for c in m.group(2).split("|")]
        parsed = []
        for c in cells:
            mm = re.match(r"([✓✗])\s*(\d+)\s*/\s*(\d+)", c)
            parsed.append((mm.group(1) == "✓", int(mm.group(2)), int(mm.group(3))) if mm else None)
        rows[int(m.group(1))] = parsed
    return rows if len(rows) == 35 else None


PAIRS = [  # (ExprDiff column, scipy method, like for like?)
    ("Newton", "Newton-CG"),
    ("Newton", "trust-ncg"),
    ("trust-region Newton-CG", "trust-ncg"),
    ("L-BFGS", "L-BFGS-B"),
    ("Newton", "Newton-CG xtol 1e-10"),
    ("L-BFGS", "L-BFGS-B ftol 0"),
    ("nonlinear CG", "CG"),
    ("Levenberg–Marquardt", "lm"),
]


def machine():
    model, cores = platform.processor() or "?", os.cpu_count()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except Exception:
        pass
    return f"{model}, {cores} cores"


def main():
    t0 = time.perf_counter()
    bad = check_port()
    for b in bad:
        print("MISMATCH", b)
    print(f"port check: {'all 35 problems agree' if not bad else f'{len(bad)} mismatches'}")

    results = {}
    for p in P:
        results[p.number] = {m: run(p, m) for m in METHODS + VARIANTS}
        print(f"{p.number:2d} {p.name:52s} " + "  ".join(
            f"{m}:{'ok' if r['ok'] else 'x'}" for m, r in results[p.number].items()), flush=True)
    counts = {m: sum(results[k][m]["ok"] for k in results) for m in METHODS + VARIANTS}
    elapsed = time.perf_counter() - t0

    L = []
    L.append("# scipy.optimize on the 35 Moré–Garbow–Hillstrom problems (issue 12)")
    L.append("")
    L.append("Written by `Benchmarks/Scipy/mgh_scipy.py` (run it with `python3 Benchmarks/Scipy/mgh_scipy.py`). The problems "
             "are those of `Tests/Solvers/Mgh/` (same n, m, x0, residuals, data and published minima), ported to numpy "
             "with analytic Jacobians; the port is checked on every run (f(x0) against the C# catalog to 1e-12 "
             "relative and against the published f(x0), f at each stored minimizer, each Jacobian against central "
             "differences): " + ("all agree." if not bad else f"**{len(bad)} mismatches**: " + "; ".join(bad)))
    L.append("")
    L.append("Success (✓) is |f − f*| ≤ 1e-8·max(1, |f*|) for any minimum in the catalog (global or local), as in "
             "`mgh-solvers.md`. Each cell: iterations / evaluations of f. `minimize` gets f = Σr² and ∇f = 2Jᵀr "
             "(analytic J); options: maxiter 20,000, gtol 1e-10 for BFGS, L-BFGS-B, trust-ncg and CG (L-BFGS-B also "
             "maxfun 100,000 and its default ftol 2.2e-9; Newton-CG takes no gtol and keeps its default xtol 1e-5). "
             "Newton-CG and trust-ncg use `hess='2-point'`: scipy's forward differences of the analytic gradient, n "
             "gradient evaluations per Hessian, counted in the gradient-evaluation table below, not in nfev. "
             "`least_squares(method='lm')` (MINPACK's lmder) gets r and J, xtol = ftol = gtol = 1e-15, max_nfev "
             "100,000; its cell is Jacobian evaluations (one per iteration) / residual evaluations, and f = 2·cost = Σr².")
    L.append("")
    L.append(f"scipy {scipy.__version__}, numpy {np.__version__}, Python {platform.python_version()}; machine: "
             f"{machine()}; whole run (checks and all methods) {elapsed:.0f} s.")
    L.append("")
    L.append("| # | problem | " + " | ".join(METHODS[:-1]) + " | least_squares lm |")
    L.append("|---:|---|" + "---|" * len(METHODS))
    for p in P:
        L.append(f"| {p.number} | {p.name} | " + " | ".join(cell(results[p.number][m]) for m in METHODS) + " |")
    L.append("")
    L.append("Successes: " + ", ".join(f"{m} {counts[m]}/35" for m in METHODS[:-1]) + f", least_squares lm {counts['lm']}/35.")
    L.append("")
    fails = []
    for p in P:
        for m in METHODS + VARIANTS:
            r = results[p.number][m]
            if not r["ok"]:
                fails.append(f"{p.number} {m}: {r['msg'].strip()}")
    L.append("<details><summary>Stopping messages of the failures</summary>")
    L.append("")
    for s in fails:
        L.append(f"- {s}")
    L.append("")
    L.append("</details>")
    L.append("")
    L.append("The two methods whose failures above are their own stopping tests (L-BFGS-B's relative reduction of f, "
             "Newton-CG's step size xtol), rerun with that test tightened:")
    L.append("")
    L.append("| # | " + " | ".join(VARIANTS) + " |")
    L.append("|---:|" + "---|" * len(VARIANTS))
    for p in P:
        L.append(f"| {p.number} | " + " | ".join(cell(results[p.number][m]) for m in VARIANTS) + " |")
    L.append("")
    L.append("Successes: " + ", ".join(f"{m} {counts[m]}/35" for m in VARIANTS) + ".")
    capped = [f"{p.number} ({m})" for p in P for m in METHODS + VARIANTS
              if results[p.number][m]["ok"] and m != "lm" and results[p.number][m]["it"] >= 20000]
    if capped:
        L.append("")
        L.append("Counted as successes although the run stopped at maxiter 20,000 with f already at f* (its own "
                 "stopping test never met): " + ", ".join(capped) + ".")
    L.append("")
    L.append("Gradient evaluations (njev) of the Hessian-based methods, finite-difference Hessians included:")
    L.append("")
    L.append("| # | Newton-CG it / nfev / njev | trust-ncg it / nfev / njev |")
    L.append("|---:|---|---|")
    for p in P:
        a, b = results[p.number]["Newton-CG"], results[p.number]["trust-ncg"]
        L.append(f"| {p.number} | {a['it']} / {a['nfev']} / {a['njev']} | {b['it']} / {b['nfev']} / {b['njev']} |")
    L.append("")

    ed = read_exprdiff()
    L.append("## Beside ExprDiff's solvers")
    L.append("")
    if ed is None:
        L.append("`Benchmarks/results/mgh-solvers.md` was not found or not read (35 rows expected); no comparison.")
    else:
        L.append("ExprDiff's figures are read from `Benchmarks/results/mgh-solvers.md` (same problems, same start, same "
                 "success criterion). Evaluation ratio: scipy's evaluations over ExprDiff's, median over the problems "
                 "both solve (for lm and LM: residual evaluations; for the rest: evaluations of f, which both sides "
                 "count with the gradient, except Newton-CG and trust-ncg, whose nfev leaves out the gradient-only "
                 "calls of their finite-difference Hessians).")
        L.append("")
        L.append("| ExprDiff method | successes | scipy method | successes | both succeed | median evaluations scipy / ExprDiff | like for like? |")
        L.append("|---|---:|---|---:|---:|---:|---|")
        notes = {
            ("Newton", "Newton-CG"): "no: scipy's Newton-CG is a line-search truncated Newton (CG on the Newton system, "
                                     "stopped early), here on a finite-difference Hessian, and stops on a step size "
                                     "(xtol 1e-5); ExprDiff's Newton solves the full Newton system with a modified "
                                     "Cholesky of the exact Hessian, with a strong Wolfe line search",
            ("Newton", "trust-ncg"): "no: trust-region Steihaug CG on a finite-difference Hessian vs. line-search full "
                                     "Newton with a modified Cholesky, exact Hessian",
            ("Newton", "Newton-CG xtol 1e-10"): "no, as Newton-CG above; tighter step tolerance",
            ("L-BFGS", "L-BFGS-B ftol 0"): "nearly, as L-BFGS-B above; stopped by gtol 1e-10 (or its line search) only",
            ("trust-region Newton-CG", "trust-ncg"): "nearly: both trust-region Steihaug–Toint CG; scipy on a "
                                                     "finite-difference Hessian, ExprDiff on exact Hessian-vector products",
            ("L-BFGS", "L-BFGS-B"): "nearly: both limited-memory BFGS with 10 pairs and a Wolfe line search; "
                                    "L-BFGS-B (Fortran, no bounds here) also stops on its default ftol 2.2e-9",
            ("nonlinear CG", "CG"): "no: scipy's CG is Polak–Ribière+ with a Wolfe line search; ExprDiff's is Hager–Zhang",
            ("Levenberg–Marquardt", "lm"): "yes, broadly: both Levenberg–Marquardt with Marquardt scaling; MINPACK's "
                                           "lmder uses a trust-region (Moré) step and QR, ExprDiff Nielsen's damping and "
                                           "Cholesky",
        }
        for ecol, smeth in PAIRS:
            k = EXPRDIFF_COLS.index(ecol)
            e_ok = sum(1 for q in range(1, 36) if ed[q][k] and ed[q][k][0])
            ratios = [results[q][smeth]["nfev"] / ed[q][k][2] for q in range(1, 36)
                      if ed[q][k] and ed[q][k][0] and results[q][smeth]["ok"] and ed[q][k][2] > 0]
            med = f"{statistics.median(ratios):.2f}" if ratios else "–"
            L.append(f"| {ecol} | {e_ok}/35 | {smeth} | {counts[smeth]}/35 | {len(ratios)} | {med} | {notes[(ecol, smeth)]} |")
        L.append("")
        only_e, only_s = [], []
        for ecol, smeth in PAIRS:
            k = EXPRDIFF_COLS.index(ecol)
            a = [q for q in range(1, 36) if ed[q][k] and ed[q][k][0] and not results[q][smeth]["ok"]]
            b = [q for q in range(1, 36) if not (ed[q][k] and ed[q][k][0]) and results[q][smeth]["ok"]]
            if a:
                only_e.append(f"{ecol} but not {smeth}: {', '.join(map(str, a))}")
            if b:
                only_s.append(f"{smeth} but not {ecol}: {', '.join(map(str, b))}")
        L.append("Solved by ExprDiff only: " + ("; ".join(only_e) if only_e else "none") + ".")
        L.append("")
        L.append("Solved by scipy only: " + ("; ".join(only_s) if only_s else "none") + ".")
        L.append("")
        L.append("The figures on each side are counts, not times: ExprDiff runs compiled .NET delegates, scipy here "
                 "numpy code called from Python, so wall-clock times are not compared.")
    L.append("")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write("\n".join(L))
    print("successes:", counts)
    print(f"wrote {os.path.relpath(OUT, ROOT)} in {elapsed:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
