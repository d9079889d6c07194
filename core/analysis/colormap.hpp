// Perceptual colormaps for attention maps: plain tables, usable without Qt
// (the CLI writes PNGs with them; the views paint with them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

enum class Colormap { Viridis, Magma, Inferno };

// How values map onto the colormap: attention weights span decades, so maps use Log.
enum class ColorScale { Linear, Sqrt, Log };

struct Rgb {
  uint8_t r, g, b;
};

const std::vector<std::string>& colormapNames();
Colormap parseColormap(const std::string& name);  // throws Error(InvalidArgument)
// t in [0, 1]; values outside are clamped.
Rgb colormapLookup(Colormap map, double t);

}  // namespace attnscope
