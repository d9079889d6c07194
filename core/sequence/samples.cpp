#include "sequence/samples.hpp"

#include "common/error.hpp"

namespace attnscope {

const std::vector<SampleInfo>& sampleList() {
  static const std::vector<SampleInfo> list = {
      {"document", "a long agreement whose later sections cite clauses defined far earlier", 2048},
      {"dna", "DNA (6-mer tokens) with enhancer motifs thousands of bases before the promoters they pair with", 8192},
      {"timeseries", "an hourly sensor log with a daily cycle and a shock that echoes months later", 8760},
  };
  return list;
}

Sequence makeSample(const std::string& name, int64_t n, uint64_t seed) {
  if (n < 1) throw Error(ErrorKind::InvalidArgument, "sample length must be at least 1, got " + std::to_string(n));
  if (n > (int64_t{1} << 26)) throw Error(ErrorKind::TooLarge, "sample length " + std::to_string(n) + " exceeds the limit of 67108864 tokens");
  if (name == "document") return makeDocumentSample(n, seed);
  if (name == "dna") return makeDnaSample(n, seed);
  if (name == "timeseries") return makeTimeSeriesSample(n, seed);
  std::string known;
  for (const auto& s : sampleList()) known += (known.empty() ? "" : ", ") + s.name;
  throw Error(ErrorKind::InvalidArgument, "unknown sample '" + name + "' (known: " + known + ")");
}

}  // namespace attnscope
