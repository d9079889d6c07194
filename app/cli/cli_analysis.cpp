#include "cli_analysis.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>

#include "analysis/colormap.hpp"
#include "analysis/memory_trace.hpp"
#include "cli_render.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"
#include "sequence/npy.hpp"

#ifdef ATTNSCOPE_HAVE_VIEWS
#include <QImage>

#include "heatmap_view.hpp"
#include "map_to_heatmap.hpp"
#endif

namespace attnscope::cli {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Locale-independent shortest-round-trip text for a number (a Qt application
// takes the system locale, which printf would follow).
std::string numberText(double v, int precision = -1) {
  char buf[64];
  const auto res = precision < 0 ? std::to_chars(buf, buf + sizeof buf, v) : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, precision);
  return std::string(buf, res.ptr);
}

void requireImageOrNpy(const std::string& flag, const std::string& path) {
  if (!endsWith(path, ".npy") && !endsWith(path, ".png")) throw UsageError{flag + ": '" + path + "' must end in .npy or .png"};
  if (endsWith(path, ".png") && !renderingAvailable()) throw UsageError{flag + ": PNG output needs the views, which this build left out (write .npy)"};
}

void checkWritable(const std::string& flag, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) throw UsageError{flag + ": cannot write to '" + path + "'"};
}

// "a:b" with 0 <= a < b.
std::optional<std::pair<int64_t, int64_t>> parseRange(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto a = parseInt(text.substr(0, colon)), b = parseInt(text.substr(colon + 1));
  if (!a || !b || *a < 0 || *b <= *a) return std::nullopt;
  return std::pair{*a, *b};
}

MapRequest parseRegion(const std::string& flag, const std::string& text) {
  const size_t comma = text.find(',');
  const auto rows = comma == std::string::npos ? std::nullopt : parseRange(std::string_view(text).substr(0, comma));
  const auto cols = comma == std::string::npos ? std::nullopt : parseRange(std::string_view(text).substr(comma + 1));
  if (!rows || !cols) throw UsageError{flag + ": '" + text + "' is not i0:i1,j0:j1 with i0 < i1 and j0 < j1 (e.g. 0:512,1024:1536)"};
  MapRequest r;
  r.i0 = rows->first;
  r.i1 = rows->second;
  r.j0 = cols->first;
  r.j1 = cols->second;
  return r;
}

std::string withSuffix(const std::string& path, const std::string& suffix) {
  const size_t dot = path.rfind('.');
  return dot == std::string::npos ? path + suffix : path.substr(0, dot) + suffix + path.substr(dot);
}

#ifdef ATTNSCOPE_HAVE_VIEWS
void writePng(const std::string& flag, const std::string& path, const MapGrid& g, const Mat& shade, ColorScale scale, const std::string& colormap,
              const std::string& valueName) {
  ensureRenderingContext();
  HeatmapData d = heatmapFromShade(g, shade);
  d.colormap = parseColormap(colormap);
  d.scale = scale;
  d.valueName = valueName;
  QImage image = renderHeatmapImage(d);
  // Small maps are enlarged with crisp cells so they are visible.
  const int64_t factor = std::max<int64_t>(1, 512 / std::max(g.rows, g.cols));
  if (factor > 1) image = image.scaled(static_cast<int>(g.cols * factor), static_cast<int>(g.rows * factor), Qt::IgnoreAspectRatio, Qt::FastTransformation);
  if (!image.save(QString::fromStdString(path), "PNG")) throw Error(ErrorKind::Io, flag + ": could not write '" + path + "'");
}
#endif

void writeGrid(const std::string& flag, const std::string& path, const MapGrid& g, const Mat& shade, ColorScale scale, const std::string& colormap,
               const std::string& valueName) {
  if (endsWith(path, ".npy")) {
    writeNpy(path, shade.data(), {g.rows, g.cols});
    return;
  }
#ifdef ATTNSCOPE_HAVE_VIEWS
  writePng(flag, path, g, shade, scale, colormap, valueName);
#else
  (void)scale, (void)colormap, (void)valueName;
  throw UsageError{flag + ": PNG output needs the views, which this build left out"};
#endif
}

void writeSpectrumCsv(const std::string& path, const Spectrum& s) {
  std::string text = "index,sigma,cumulative_energy\n";
  for (size_t i = 0; i < s.sigma.size(); ++i) text += std::to_string(i + 1) + "," + numberText(s.sigma[i]) + "," + numberText(s.cumulativeEnergy[i]) + "\n";
  std::ofstream out(path, std::ios::binary);
  if (!out || !(out << text)) throw Error(ErrorKind::Io, path + ": cannot write the spectrum");
}

}  // namespace

bool parseAnalysisFlag(const std::string& flag, Args& args, AnalysisFlags& f) {
  if (flag == "--out-map") f.outMap = args.value(flag);
  else if (flag == "--out-mask") f.outMask = args.value(flag);
  else if (flag == "--out-spectrum") f.outSpectrum = args.value(flag);
  else if (flag == "--out-memory") f.outMemory = args.value(flag);
  else if (flag == "--map-region") f.region = parseRegion(flag, args.value(flag));
  else if (flag == "--map-size") f.mapSize = args.intValue(flag, 1, kExactMapLimit);
  else if (flag == "--map-head") f.head = static_cast<int>(args.intValue(flag, limits::kMapHead));
  else if (flag == "--colormap") f.colormap = args.value(flag);
  else if (flag == "--spectrum-rank") f.spectrumRank = args.intValue(flag, 1, 1024);
  else if (flag == "--metrics") f.metrics = true;
  else if (flag == "--no-metrics") f.metrics = false;
  else return false;
  return true;
}

void checkAnalysisFlags(const AnalysisFlags& f) {
  if (!f.outMap.empty()) requireImageOrNpy("--out-map", f.outMap);
  if (!f.outMask.empty()) requireImageOrNpy("--out-mask", f.outMask);
  if (!f.outMemory.empty() && !endsWith(f.outMemory, ".npy")) throw UsageError{"--out-memory: '" + f.outMemory + "' must end in .npy"};
  try {
    parseColormap(f.colormap);
  } catch (const Error& e) {
    throw UsageError{std::string("--colormap: ") + e.what()};
  }
  if (f.region && !f.wantsMap()) throw UsageError{"--map-region: needs --out-map or --out-mask"};
  if (f.mapSize > 0 && !f.wantsMap()) throw UsageError{"--map-size: needs --out-map or --out-mask"};
  for (const auto& [flag, path] : {std::pair{"--out-map", f.outMap}, {"--out-mask", f.outMask}, {"--out-spectrum", f.outSpectrum}, {"--out-memory", f.outMemory}})
    if (!path.empty()) checkWritable(flag, path);
  if (!f.outMap.empty() && !f.outMask.empty() && f.outMap == f.outMask) throw UsageError{"--out-mask: same file as --out-map"};
}

bool analysisWanted(const AnalysisFlags& f, bool writesJson) {
  return writesJson || f.wantsMap() || f.wantsSpectrum() || !f.outMemory.empty() || f.metrics.value_or(false);
}

AnalysisRequest analysisRequestFor(const AnalysisFlags& f, int64_t n, int heads, bool writesJson) {
  AnalysisRequest r;
  if (f.head >= heads) throw UsageError{"--map-head: " + std::to_string(f.head) + " is out of range [0, " + std::to_string(heads - 1) + "]"};
  r.head = f.head;
  if (f.wantsMap()) {
    MapRequest region = f.region.value_or(MapRequest{});
    if (f.region && (region.i1 > n || region.j1 > n))
      throw UsageError{"--map-region: " + std::to_string(region.i0) + ":" + std::to_string(region.i1) + "," + std::to_string(region.j0) + ":" +
                       std::to_string(region.j1) + " reaches past the sequence (n = " + std::to_string(n) + ")"};
    r.map = defaultMapRequest(n, region.i0, f.region ? region.i1 : n, region.j0, f.region ? region.j1 : n, f.mapSize);
    r.map->head = f.head;
  }
  if (f.wantsSpectrum()) {
    r.spectrum = true;
    if (f.spectrumRank > n) throw UsageError{"--spectrum-rank: " + std::to_string(f.spectrumRank) + " exceeds n = " + std::to_string(n)};
    if (f.spectrumRank > 0) r.spectrumOptions.rank = f.spectrumRank;
  }
  r.metrics = f.metrics.value_or(writesJson && n <= kExactMapLimit);
  return r;
}

void writeAnalysisOutputs(const AnalysisFlags& f, const AnalysisResult& result, const HeadExtras* extras, nlohmann::json& j) {
  if (result.map) {
    const MapGrid& g = *result.map;
    // Exact maps are A itself; pooled cells hold the mean of A (and, beside it, the max).
    const Mat shade = g.exact() ? g.sum : g.mean();
    if (!f.outMap.empty()) {
      writeGrid("--out-map", f.outMap, g, shade, ColorScale::Log, f.colormap, "weight");
      nlohmann::json file = {{"path", f.outMap}, {"shape", {g.rows, g.cols}}, {"values", g.exact() ? "A" : "cell_mean"}};
      if (!g.exact() && endsWith(f.outMap, ".npy")) {
        const std::string maxPath = withSuffix(f.outMap, "_max");
        writeNpy(maxPath, g.max.data(), {g.rows, g.cols});
        file["max_path"] = maxPath;
      }
      if (endsWith(f.outMap, ".png")) file["colormap"] = f.colormap, file["scale"] = "log";
      j["map"]["file"] = file;
    }
    if (!f.outMask.empty()) {
      writeGrid("--out-mask", f.outMask, g, g.computed, ColorScale::Linear, f.colormap, "computed");
      j["map"]["mask"]["file"] = {{"path", f.outMask}, {"shape", {g.rows, g.cols}}, {"values", "computed_fraction"}};
    }
  }
  if (!f.outSpectrum.empty() && result.spectrum) {
    writeSpectrumCsv(f.outSpectrum, *result.spectrum);
    j["spectrum"]["file"] = {{"path", f.outSpectrum}, {"rows", result.spectrum->sigma.size()}};
  }
  if (!f.outMemory.empty()) {
    if (!extras || extras->memory.empty()) throw UsageError{"--out-memory: variant '" + result.variant + "' keeps no memory slots"};
    const std::vector<float> all = memorySlotArray(*extras);
    const MemorySnapshot& first = extras->memory.front();
    const std::vector<int64_t> shape{static_cast<int64_t>(extras->memory.size()), first.slotValues.rows(), first.slotValues.cols()};
    writeNpy(f.outMemory, all.data(), shape);
    j["memory"]["file"] = {{"path", f.outMemory}, {"shape", shape}};
  }
}

std::string analysisSummaryLine(const AnalysisResult& r) {
  std::string line = "analysis (head " + std::to_string(r.head) + ", on " + r.computedOn + "): pairs computed " + numberText(100.0 * r.pairs.fraction, 4) + "% (" + r.pairs.source + ")";
  if (r.map)
    line += "; map " + std::to_string(r.map->rows) + "x" + std::to_string(r.map->cols) + (r.map->exact() ? " exact" : " pooled") + " in " +
            (r.mapMs < 1000 ? numberText(r.mapMs, 3) + " ms" : numberText(r.mapMs / 1000, 3) + " s");
  if (r.metrics) {
    const Metrics& m = *r.metrics;
    line += "; O error vs dense " + numberText(m.outputRelativeError, 4);
    if (m.entropy.rows > 0) line += "; entropy " + numberText(m.entropy.mean, 4) + " nats (uniform " + numberText(m.uniformEntropy, 4) + ")";
    if (m.recall.rows > 0) line += "; attention recall " + numberText(m.recall.mean, 4) + " (worst query " + numberText(m.recall.min, 4) + ")";
  }
  if (r.spectrum) {
    const Spectrum& s = *r.spectrum;
    line += "; spectrum (" + s.method + ") effective rank " + numberText(s.entropyRank, 4);
    if (s.rank90 > 0) line += ", 90% energy in " + std::to_string(s.rank90);
  }
  return line;
}

std::string analysisUsage() {
  return "run analysis flags (head chosen by --map-head; see docs/analysis.md):\n"
         "  --out-map FILE       the effective map A as .npy or .png: exact [n, n] for regions up to 4096 tokens a side,\n"
         "                       else a 1024 x 1024 grid of cell means (.npy also writes FILE_max.npy with cell maxima)\n"
         "  --out-mask FILE      the computed-pair mask (.npy or .png): fraction of each cell's pairs scored one by one\n"
         "  --map-region R       i0:i1,j0:j1: rows and columns of the map (recomputed at full resolution when it fits)\n"
         "  --map-size C         cells per side (1..4096) instead of the default\n"
         "  --map-head H         head to analyse (default 0)\n"
         "  --colormap NAME      viridis (default), magma or inferno, for PNGs\n"
         "  --out-spectrum FILE  singular values of A as CSV (index, sigma, cumulative_energy); exact for n <= 2048\n"
         "  --spectrum-rank R    leading values of the randomized spectrum for n > 2048 (default 64); also adds the spectrum to the JSON\n"
         "  --metrics            metrics vs dense in the JSON at any n (default: on for n <= 4096 when --out-json is given)\n"
         "  --no-metrics         leave them out\n"
         "  --out-memory FILE    memory slot contents per kept segment as .npy [segments, slots, d]\n";
}

}  // namespace attnscope::cli
