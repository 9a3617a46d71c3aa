#!/usr/bin/python3
"""Makes the Pillow reference images the lib.pillow tests compare with.

Run from this directory with Debian's Python and its packages
(python3-pil 9.4, python3-numpy, python3-opencv, python3-matplotlib):

    /usr/bin/python3 gen.py

It writes a few small deterministic input images (in/), applies to them,
with Pillow, NumPy and OpenCV, what each NodeTool node does (the same calls
the node's Python source in nodetool-base makes, each input opened as the
ProcessingContext opens it: converted to RGB), and writes every result as a
PNG (ref/) and the list of cases (cases.json: node type, inputs,
properties, reference). The Go test (reference_test.go) runs each of our
nodes on the same inputs with the same properties and compares.

Where our node deliberately differs from the original, the reference is made
with our semantics and the case says so ("note"). Nothing here runs in CI:
the PNGs are committed.
"""

import colorsys
import json
import math
import os
import random

import cv2
import numpy as np
from matplotlib.colors import hsv_to_rgb, rgb_to_hsv
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
# Inputs


def make_photo():
    """64x64 RGB: a hue sweep, gradients, hard edges, flat areas, texture."""
    rnd = random.Random(12)
    im = Image.new("RGB", (64, 64))
    px = im.load()
    for y in range(64):
        for x in range(64):
            if y < 10:  # every hue, saturated, two brightnesses
                r, g, b = colorsys.hsv_to_rgb(x / 64, 1.0 if y < 5 else 0.55, 1.0 if y < 5 else 0.8)
                px[x, y] = (int(r * 255), int(g * 255), int(b * 255))
            else:
                r = 128 + 127 * math.sin(x / 7 + y / 13)
                g = x * 4
                b = 255 - y * 4
                n = rnd.randint(-25, 25) if 40 <= y < 56 else 0
                px[x, y] = tuple(max(0, min(255, int(v) + n)) for v in (r, g, b))
    d = ImageDraw.Draw(im)
    d.rectangle((6, 14, 20, 28), fill=(250, 20, 10))
    d.ellipse((34, 16, 54, 36), fill=(20, 40, 230))
    d.line((0, 63, 63, 38), fill=(255, 255, 255), width=2)
    d.rectangle((44, 56, 63, 63), fill=(12, 12, 14))
    return im


def make_small():
    """40x30 RGB (another aspect ratio): a checker over a gradient."""
    im = Image.new("RGB", (40, 30))
    px = im.load()
    for y in range(30):
        for x in range(40):
            c = 60 if ((x // 5) + (y // 5)) % 2 else 0
            px[x, y] = (min(255, x * 6 + c), min(255, y * 8 + c), 200 - x * 2 - y)
    return im


def make_mask():
    """50x50 L: a radial ramp, white in the middle."""
    im = Image.new("L", (50, 50))
    px = im.load()
    for y in range(50):
        for x in range(50):
            d = math.hypot(x - 24.5, y - 24.5) / 24.5
            px[x, y] = max(0, min(255, int(255 * (1.2 - d))))
    return im


def make_lowc():
    """48x48 RGB of low contrast (values 70..170)."""
    im = Image.new("RGB", (48, 48))
    px = im.load()
    for y in range(48):
        for x in range(48):
            px[x, y] = (70 + (x * 100) // 47, 90 + (y * 60) // 47, 120 + ((x + y) % 17) * 3)
    return im


def make_canvas():
    return Image.new("RGB", (96, 40), (255, 255, 255))


INPUTS = {
    "photo": make_photo,
    "small": make_small,
    "mask": make_mask,
    "lowc": make_lowc,
    "canvas": make_canvas,
}


def open_rgb(name):
    """As the original's ProcessingContext.image_to_pil: RGB."""
    with Image.open(os.path.join(HERE, "in", name + ".png")) as im:
        im.load()
        im = ImageOps.exif_transpose(im) or im
        return im.convert("RGB")


# ---------------------------------------------------------------------------
# The original's color grading helpers (float32 RGB in 0..1)


def to_float(im):
    return np.array(im.convert("RGB"), dtype=np.float32) / 255.0


def from_float(arr):
    return Image.fromarray(np.clip(arr * 255, 0, 255).astype(np.uint8))


def lum709(arr):
    return 0.2126 * arr[:, :, 0] + 0.7152 * arr[:, :, 1] + 0.0722 * arr[:, :, 2]


def exposure(im, exposure=0.0, contrast=0.0, highlights=0.0, shadows=0.0, whites=0.0, blacks=0.0):
    arr = to_float(im)
    if exposure != 0.0:
        arr = arr * (2.0 ** exposure)
    lum = lum709(arr)
    if highlights != 0.0:
        mask = np.clip((lum - 0.5) * 2, 0, 1)[:, :, np.newaxis]
        arr = arr - mask * highlights * 0.5
    if shadows != 0.0:
        mask = np.clip((0.5 - lum) * 2, 0, 1)[:, :, np.newaxis]
        arr = arr + mask * shadows * 0.5
    if whites != 0.0:
        arr = arr + whites * 0.2 * arr
    if blacks != 0.0:
        arr = arr + blacks * 0.2 * (1 - arr)
    if contrast != 0.0:
        arr = 0.5 + (arr - 0.5) * (1 + contrast)
    return from_float(arr)


def saturation_vibrance(im, saturation=0.0, vibrance=0.0):
    arr = to_float(im)
    lum = lum709(arr)[:, :, np.newaxis]
    if saturation != 0.0:
        arr = lum + (arr - lum) * (1 + saturation)
    if vibrance != 0.0:
        mx = np.max(arr, axis=2, keepdims=True)
        mn = np.min(arr, axis=2, keepdims=True)
        sat = np.where(mx > 0, (mx - mn) / (mx + 0.001), 0)
        arr = lum + (arr - lum) * (1.0 + vibrance * (1.0 - sat))
    return from_float(arr)


def lift_gamma_gain(im, lift_r=0.0, lift_g=0.0, lift_b=0.0, lift_master=0.0, gamma_r=1.0, gamma_g=1.0,
                    gamma_b=1.0, gamma_master=1.0, gain_r=1.0, gain_g=1.0, gain_b=1.0, gain_master=1.0):
    arr = to_float(im)
    for c, lift in enumerate((lift_r, lift_g, lift_b)):
        arr[:, :, c] = arr[:, :, c] + lift + lift_master
    for c, gain in enumerate((gain_r, gain_g, gain_b)):
        arr[:, :, c] = arr[:, :, c] * gain * gain_master
    arr = np.clip(arr, 0.0001, None)
    for c, gamma in enumerate((gamma_r, gamma_g, gamma_b)):
        arr[:, :, c] = np.power(arr[:, :, c], 1.0 / (gamma * gamma_master))
    return from_float(arr)


def cdl(im, slope_r=1.0, slope_g=1.0, slope_b=1.0, offset_r=0.0, offset_g=0.0, offset_b=0.0,
        power_r=1.0, power_g=1.0, power_b=1.0, saturation=1.0):
    arr = to_float(im)
    for c, (s, o) in enumerate(((slope_r, offset_r), (slope_g, offset_g), (slope_b, offset_b))):
        arr[:, :, c] = arr[:, :, c] * s + o
    arr = np.clip(arr, 0.0001, None)
    for c, p in enumerate((power_r, power_g, power_b)):
        arr[:, :, c] = np.power(arr[:, :, c], p)
    if saturation != 1.0:
        lum = lum709(arr)[:, :, np.newaxis]
        arr = lum + (arr - lum) * saturation
    return from_float(arr)


def color_balance(im, temperature=0.0, tint=0.0):
    arr = to_float(im)
    t = temperature * 0.3
    arr[:, :, 0] = arr[:, :, 0] + t
    arr[:, :, 2] = arr[:, :, 2] - t
    n = tint * 0.3
    arr[:, :, 1] = arr[:, :, 1] - n
    arr[:, :, 0] = arr[:, :, 0] + n * 0.5
    arr[:, :, 2] = arr[:, :, 2] + n * 0.5
    return from_float(arr)


HUE_RANGES = {
    "reds": (0.95, 0.05), "oranges": (0.02, 0.10), "yellows": (0.10, 0.18), "greens": (0.18, 0.45),
    "cyans": (0.45, 0.55), "blues": (0.55, 0.72), "purples": (0.72, 0.83), "magentas": (0.83, 0.95),
}


def hsl_adjust(im, color_range="all", hue_shift=0.0, saturation=0.0, luminance=0.0):
    arr = np.clip(to_float(im), 0, 1)
    hsv = rgb_to_hsv(arr)
    h, s, v = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    if color_range == "all":
        blend = np.ones_like(h)
    else:
        start, end = HUE_RANGES[color_range]
        if start > end:
            in_range = (h >= start) | (h <= end)
            center = (start + end + 1) / 2 % 1
            width = 1 - start + end
        else:
            in_range = (h >= start) & (h <= end)
            center = (start + end) / 2
            width = end - start
        in_range = in_range & (s > 0.1)
        dist = np.minimum(np.abs(h - center), 1 - np.abs(h - center))
        blend = np.maximum(0, 1 - dist / (width / 2 + 0.01))
        blend = np.where(in_range, blend, 0.0)
    nh = (h + hue_shift * 0.5 * blend) % 1.0
    ns = np.clip(s * (1 + saturation * blend), 0, 1)
    nv = np.clip(v * (1 + luminance * blend), 0, 1)
    return from_float(hsv_to_rgb(np.stack([nh, ns, nv], axis=2)))


def curves(im, black_point=0.0, white_point=1.0, shadows=0.0, midtones=0.0, highlights=0.0,
           red_midtones=0.0, green_midtones=0.0, blue_midtones=0.0):
    arr = to_float(im)
    arr = (arr - black_point) / (white_point - black_point)
    arr = np.clip(arr, 0, 1)
    if shadows != 0.0:
        arr = arr + shadows * (1.0 - arr) * arr
    if midtones != 0.0:
        arr = np.power(arr, 1.0 / (1.0 + midtones))
    if highlights != 0.0:
        arr = arr + highlights * arr * (1.0 - arr)
    for c, m in enumerate((red_midtones, green_midtones, blue_midtones)):
        if m != 0.0:
            arr[:, :, c] = np.power(np.clip(arr[:, :, c], 0.0001, 1), 1.0 / (1.0 + m))
    return from_float(arr)


def vignette(im, amount=0.5, midpoint=0.5, roundness=0.0, feather=0.5):
    arr = to_float(im)
    h, w = arr.shape[:2]
    y, x = np.ogrid[:h, :w]
    nx = (x - w / 2) / (w / 2)
    ny = (y - h / 2) / (h / 2)
    aspect = w / h
    if roundness > 0:
        nx = nx * (1 + (1 / aspect - 1) * roundness)
    if roundness < 0:
        rb = -roundness
        dist = np.sqrt(nx ** 2 + ny ** 2) * (1 - rb) + np.maximum(np.abs(nx), np.abs(ny)) * rb
    else:
        dist = np.sqrt(nx ** 2 + ny ** 2)
    v = np.clip((dist - midpoint) / max(feather, 0.01), 0, 1)
    f = 1.0 - v * amount if amount > 0 else 1.0 + v * (-amount)
    return from_float(arr * f[:, :, np.newaxis])


FILM_PRESETS = {
    "teal_orange": ([0.0, 0.5, 0.55], [1.0, 0.78, 0.6], 1.1, 1.1, 0.0),
    "blockbuster": ([0.12, 0.24, 0.35], [1.0, 0.9, 0.78], 1.2, 1.0, 0.0),
    "noir": ([0.2, 0.2, 0.24], [0.86, 0.86, 0.9], 1.4, 0.3, 0.0),
    "vintage": ([0.4, 0.32, 0.24], [1.0, 0.94, 0.78], 0.9, 0.8, 0.15),
    "cold_blue": ([0.16, 0.24, 0.4], [0.78, 0.86, 1.0], 1.1, 0.9, 0.0),
    "warm_sunset": ([0.47, 0.24, 0.16], [1.0, 0.86, 0.7], 1.0, 1.3, 0.0),
    "matrix": ([0.0, 0.16, 0.0], [0.6, 1.0, 0.6], 1.3, 0.7, 0.0),
    "bleach_bypass": ([0.24, 0.24, 0.27], [0.94, 0.94, 0.98], 1.5, 0.5, 0.05),
    "cross_process": ([0.0, 0.2, 0.3], [1.0, 0.9, 0.5], 1.2, 1.2, 0.0),
    "faded_film": ([0.3, 0.28, 0.26], [0.95, 0.92, 0.88], 0.85, 0.7, 0.2),
}


def film_look(im, preset="teal_orange", intensity=1.0):
    arr = to_float(im)
    original = arr.copy()
    sc, hc, contrast, saturation, fade = FILM_PRESETS[preset]
    sc, hc = np.array(sc), np.array(hc)
    lum = lum709(arr)
    smask = np.clip(1.0 - lum * 2, 0, 1)[:, :, np.newaxis]
    hmask = np.clip(lum * 2 - 1, 0, 1)[:, :, np.newaxis]
    arr = arr + smask * (sc - 0.5) * 0.3
    arr = arr + hmask * (hc - 0.5) * 0.3
    arr = (arr - 0.5) * contrast + 0.5
    l3 = lum709(arr)[:, :, np.newaxis]
    arr = l3 + (arr - l3) * saturation
    if fade > 0:
        arr = arr * (1.0 - fade) + fade * 0.15
    arr = original + (arr - original) * intensity
    return from_float(arr)


def split_toning(im, shadow_hue=200.0, shadow_saturation=0.3, highlight_hue=40.0, highlight_saturation=0.3,
                 balance=0.0):
    arr = to_float(im)
    sc = np.array(colorsys.hsv_to_rgb(shadow_hue / 360.0, 1.0, 1.0))
    hc = np.array(colorsys.hsv_to_rgb(highlight_hue / 360.0, 1.0, 1.0))
    lum = lum709(arr)
    off = balance * 0.25
    smask = np.clip((0.5 + off - lum) * 2, 0, 1)[:, :, np.newaxis]
    hmask = np.clip((lum - 0.5 + off) * 2, 0, 1)[:, :, np.newaxis]
    arr = arr + smask * (sc - 0.5) * shadow_saturation
    arr = arr + hmask * (hc - 0.5) * highlight_saturation
    return from_float(arr)


# ---------------------------------------------------------------------------
# The original's OpenCV helpers


def adaptive_contrast(im, clip_limit=2.0, grid_size=8):
    img = np.array(im)
    lab = cv2.cvtColor(img, cv2.COLOR_BGR2Lab)  # the RGB array taken as BGR, as the original does
    l, a, b = cv2.split(lab)
    cl = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(grid_size, grid_size)).apply(l)
    return Image.fromarray(cv2.cvtColor(cv2.merge((cl, a, b)), cv2.COLOR_Lab2BGR))


def canny(im, low_threshold=100, high_threshold=200):
    arr = cv2.Canny(np.array(im), low_threshold, high_threshold)[:, :, None]
    return Image.fromarray(np.concatenate([arr, arr, arr], axis=2))


# ---------------------------------------------------------------------------
# Cases: (name, node type, {property: input}, {property: value}, function of
# the opened inputs and the properties, note)

CASES = []


def case(name, typ, inputs, props, fn, note=""):
    CASES.append((name, typ, inputs, props, fn, note))


def one(fn):
    """A node of one image input named "image"."""
    return lambda ims, p: fn(ims["image"], **p)


E = "lib.pillow.enhance."
case("autocontrast", E + "AutoContrast", {"image": "lowc"}, {"cutoff": 0}, one(lambda im, cutoff: ImageOps.autocontrast(im, cutoff=cutoff)))
case("autocontrast-cut5", E + "AutoContrast", {"image": "photo"}, {"cutoff": 5}, one(lambda im, cutoff: ImageOps.autocontrast(im, cutoff=cutoff)))
for f in (2.0, 0.3):
    case(f"sharpness-{f}", E + "Sharpness", {"image": "photo"}, {"factor": f}, one(lambda im, factor: ImageEnhance.Sharpness(im).enhance(factor)))
case("equalize", E + "Equalize", {"image": "photo"}, {}, one(ImageOps.equalize))
case("equalize-lowc", E + "Equalize", {"image": "lowc"}, {}, one(ImageOps.equalize))
for f in (1.5, 0.4):
    case(f"contrast-{f}", E + "Contrast", {"image": "photo"}, {"factor": f}, one(lambda im, factor: ImageEnhance.Contrast(im).enhance(factor)))
case("edgeenhance", E + "EdgeEnhance", {"image": "photo"}, {}, one(lambda im: im.filter(ImageFilter.EDGE_ENHANCE)))
case("sharpen", E + "Sharpen", {"image": "photo"}, {}, one(lambda im: im.filter(ImageFilter.SHARPEN)))
case("rankfilter", E + "RankFilter", {"image": "photo"}, {"size": 3, "rank": 3}, one(lambda im, size, rank: im.filter(ImageFilter.RankFilter(size, rank))))
case("rankfilter-median5", E + "RankFilter", {"image": "photo"}, {"size": 5, "rank": 12}, one(lambda im, size, rank: im.filter(ImageFilter.RankFilter(size, rank))))
case("unsharpmask", E + "UnsharpMask", {"image": "photo"}, {"radius": 2, "percent": 150, "threshold": 3},
     one(lambda im, radius, percent, threshold: im.filter(ImageFilter.UnsharpMask(radius, percent, threshold))))
case("unsharpmask-4", E + "UnsharpMask", {"image": "photo"}, {"radius": 4, "percent": 80, "threshold": 0},
     one(lambda im, radius, percent, threshold: im.filter(ImageFilter.UnsharpMask(radius, percent, threshold))))
for f in (1.3, 0.6):
    case(f"brightness-{f}", E + "Brightness", {"image": "photo"}, {"factor": f}, one(lambda im, factor: ImageEnhance.Brightness(im).enhance(factor)))
for f in (1.7, 0.0):
    case(f"color-{f}", E + "Color", {"image": "photo"}, {"factor": f}, one(lambda im, factor: ImageEnhance.Color(im).enhance(factor)))
case("detail", E + "Detail", {"image": "photo"}, {}, one(lambda im: im.filter(ImageFilter.DETAIL)))
case("adaptivecontrast", E + "AdaptiveContrast", {"image": "photo"}, {"clip_limit": 2.0, "grid_size": 8}, one(adaptive_contrast))
case("adaptivecontrast-lowc", E + "AdaptiveContrast", {"image": "lowc"}, {"clip_limit": 4.0, "grid_size": 3}, one(adaptive_contrast))

D = "lib.pillow.draw."
case("background", D + "Background", {}, {"width": 30, "height": 20, "color": {"type": "color", "value": "#3366CC"}},
     lambda ims, p: Image.new("RGB", (p["width"], p["height"]), p["color"]["value"]))
case("gaussiannoise-flat", D + "GaussianNoise", {}, {"mean": 0.5, "stddev": 0.0, "width": 16, "height": 8},
     lambda ims, p: Image.fromarray((np.clip(np.random.normal(p["mean"], p["stddev"], (p["height"], p["width"], 3)), 0, 1) * 255).astype(np.uint8)))


def render_text(ims, p):
    im = ims["image"]
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", p["size"])
    ImageDraw.Draw(im).text((p["x"], p["y"]), p["text"], font=font, fill=p["color"]["value"], align=p["align"])
    return im


case("rendertext", D + "RenderText", {"image": "canvas"},
     {"text": "Hi there", "x": 4, "y": 6, "size": 16, "color": {"type": "color", "value": "#C00000"}, "align": "left"},
     render_text, "ours draws the one embedded 7x13 bitmap font scaled, not DejaVuSans")

G = "lib.pillow.color_grading."
case("exposure", G + "Exposure", {"image": "photo"},
     {"exposure": 0.7, "contrast": 0.2, "highlights": -0.4, "shadows": 0.3, "whites": 0.1, "blacks": -0.2}, one(exposure))
case("exposure-dark", G + "Exposure", {"image": "photo"}, {"exposure": -1.3, "contrast": -0.3}, one(exposure))
case("saturationvibrance", G + "SaturationVibrance", {"image": "photo"}, {"saturation": 0.4, "vibrance": 0.5}, one(saturation_vibrance))
case("saturationvibrance-gray", G + "SaturationVibrance", {"image": "photo"}, {"saturation": -0.6, "vibrance": -0.3}, one(saturation_vibrance))
case("liftgammagain", G + "LiftGammaGain", {"image": "photo"},
     {"lift_r": 0.05, "lift_master": -0.02, "gamma_g": 1.3, "gamma_master": 0.9, "gain_b": 1.2, "gain_master": 1.1}, one(lift_gamma_gain))
case("cdl", G + "CDL", {"image": "photo"}, {"slope_r": 1.2, "offset_g": 0.05, "power_b": 0.8, "saturation": 1.3}, one(cdl))
case("colorbalance", G + "ColorBalance", {"image": "photo"}, {"temperature": 0.4, "tint": -0.3}, one(color_balance))
case("hsladjust-all", G + "HSLAdjust", {"image": "photo"}, {"color_range": "all", "hue_shift": 0.2, "saturation": 0.3, "luminance": -0.1}, one(hsl_adjust))
case("hsladjust-blues", G + "HSLAdjust", {"image": "photo"}, {"color_range": "blues", "hue_shift": -0.3, "saturation": 0.5, "luminance": 0.2}, one(hsl_adjust))
case("hsladjust-reds", G + "HSLAdjust", {"image": "photo"}, {"color_range": "reds", "hue_shift": 0.1, "saturation": -0.5}, one(hsl_adjust))
case("hsladjust-greens", G + "HSLAdjust", {"image": "photo"}, {"color_range": "greens", "hue_shift": 0.4, "luminance": -0.5}, one(hsl_adjust))
case("curves", G + "Curves", {"image": "photo"},
     {"black_point": 0.05, "white_point": 0.9, "shadows": 0.2, "midtones": -0.2, "highlights": 0.3, "red_midtones": 0.1, "blue_midtones": -0.2},
     one(curves))
case("curves-green", G + "Curves", {"image": "lowc"}, {"midtones": 0.4, "green_midtones": 0.3, "shadows": -0.3}, one(curves))
case("vignette", G + "Vignette", {"image": "small"}, {}, one(vignette))
case("vignette-round", G + "Vignette", {"image": "small"}, {"amount": -0.6, "midpoint": 0.3, "roundness": 0.7, "feather": 0.4}, one(vignette))
case("vignette-rect", G + "Vignette", {"image": "photo"}, {"amount": 0.9, "midpoint": 0.2, "roundness": -0.8, "feather": 0.0}, one(vignette))
for preset in FILM_PRESETS:
    case(f"filmlook-{preset}", G + "FilmLook", {"image": "photo"}, {"preset": preset, "intensity": 1.0}, one(film_look))
case("filmlook-teal-1.5", G + "FilmLook", {"image": "photo"}, {"preset": "teal_orange", "intensity": 1.5}, one(film_look))
case("splittoning", G + "SplitToning", {"image": "photo"}, {}, one(split_toning))
case("splittoning-2", G + "SplitToning", {"image": "photo"},
     {"shadow_hue": 120.0, "shadow_saturation": 0.6, "highlight_hue": 300.0, "highlight_saturation": 0.5, "balance": 0.5}, one(split_toning))

F = "lib.pillow.filter."
case("invert", F + "Invert", {"image": "photo"}, {}, one(ImageOps.invert))
case("solarize", F + "Solarize", {"image": "photo"}, {"threshold": 100}, one(lambda im, threshold: ImageOps.solarize(im, threshold=threshold)))
case("posterize", F + "Posterize", {"image": "photo"}, {"bits": 3}, one(lambda im, bits: ImageOps.posterize(im, bits=bits)))
case("expand", F + "Expand", {"image": "small"}, {"border": 5, "fill": 0}, one(lambda im, border, fill: ImageOps.expand(im, border=border, fill=fill)))
# The original passes the int fill to an RGB image, which Pillow reads as a
# packed color: fill=90 gives a (90, 0, 0) red border. Ours fills gray.
case("expand-gray", F + "Expand", {"image": "small"}, {"border": 3, "fill": 90},
     one(lambda im, border, fill: ImageOps.expand(im, border=border, fill=(fill, fill, fill))),
     "ours fills gray (fill, fill, fill); the original's fill is (fill, 0, 0)")
for r in (2, 7):
    case(f"blur-{r}", F + "Blur", {"image": "photo"}, {"radius": r}, one(lambda im, radius: im.filter(ImageFilter.GaussianBlur(radius))))
# A radius past the image's size: every window reaches both edges.
case("blur-wide", F + "Blur", {"image": "small"}, {"radius": 60}, one(lambda im, radius: im.filter(ImageFilter.GaussianBlur(radius))))
case("contour", F + "Contour", {"image": "photo"}, {}, one(lambda im: im.filter(ImageFilter.CONTOUR)))
case("emboss", F + "Emboss", {"image": "photo"}, {}, one(lambda im: im.filter(ImageFilter.EMBOSS)))
case("findedges", F + "FindEdges", {"image": "photo"}, {}, one(lambda im: im.filter(ImageFilter.FIND_EDGES)))
case("smooth", F + "Smooth", {"image": "photo"}, {}, one(lambda im: im.filter(ImageFilter.SMOOTH)))
case("canny", F + "Canny", {"image": "photo"}, {"low_threshold": 100, "high_threshold": 200}, one(canny))
case("canny-low", F + "Canny", {"image": "photo"}, {"low_threshold": 30, "high_threshold": 90}, one(canny))
case("grayscale", F + "ConvertToGrayscale", {"image": "photo"}, {}, one(lambda im: im.convert("L")))
for ch in ("R", "B"):
    case(f"getchannel-{ch}", F + "GetChannel", {"image": "photo"}, {"channel": ch}, one(lambda im, channel: im.getchannel(channel)))


def blend(ims, p):
    a, b = ims["image1"], ims["image2"]
    if a.size != b.size:
        b = ImageOps.fit(b, a.size)
    return Image.blend(a, b, p["alpha"])


def composite(ims, p):
    # The original converts the mask to RGBA, whose alpha is 255 wherever
    # the mask came from an RGB image: its result is always image1. Ours
    # composites by the mask's gray values (or its alpha, when it has
    # transparency), as the node's description means.
    a = ims["image1"].convert("RGBA")
    b = ims["image2"].convert("RGBA")
    m = ims["mask"].convert("RGBA")
    if a.size != b.size:
        b = ImageOps.fit(b, a.size)
    if a.size != m.size:
        m = ImageOps.fit(m, a.size)
    return Image.composite(a, b, m.convert("L"))


I = "lib.pillow.__init__."
case("blend", I + "Blend", {"image1": "photo", "image2": "small"}, {"alpha": 0.3}, blend)
case("blend-same", I + "Blend", {"image1": "small", "image2": "small"}, {"alpha": 0.8}, blend)
case("composite", I + "Composite", {"image1": "photo", "image2": "small", "mask": "mask"}, {}, composite,
     "ours composites by the mask's gray values; the original's result is always image1")

N = "nodetool.image."
case("resize-down", N + "Resize", {"image": "photo"}, {"width": 40, "height": 24},
     one(lambda im, width, height: im.resize((width, height), Image.LANCZOS)))
case("resize-up", N + "Resize", {"image": "small"}, {"width": 70, "height": 61},
     one(lambda im, width, height: im.resize((width, height), Image.LANCZOS)))
case("scale", N + "Scale", {"image": "photo"}, {"scale": 0.6},
     one(lambda im, scale: im.resize((int(im.width * scale), int(im.height * scale)), Image.Resampling.LANCZOS)))
case("crop", N + "Crop", {"image": "photo"}, {"left": 10, "top": 5, "right": 50, "bottom": 60},
     one(lambda im, left, top, right, bottom: im.crop((left, top, right, bottom))))
case("fit", N + "Fit", {"image": "photo"}, {"width": 30, "height": 50},
     one(lambda im, width, height: ImageOps.fit(im, (width, height), Image.LANCZOS)))


def main():
    os.makedirs(os.path.join(HERE, "in"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "ref"), exist_ok=True)
    for name, make in INPUTS.items():
        make().save(os.path.join(HERE, "in", name + ".png"), optimize=True)
    out = []
    for name, typ, inputs, props, fn, note in CASES:
        ims = {prop: open_rgb(src) for prop, src in inputs.items()}
        res = fn(ims, dict(props))
        res.save(os.path.join(HERE, "ref", name + ".png"), optimize=True)
        c = {"name": name, "type": typ, "inputs": {k: "in/" + v + ".png" for k, v in inputs.items()},
             "props": props, "ref": "ref/" + name + ".png", "mode": res.mode}
        if note:
            c["note"] = note
        out.append(c)
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
