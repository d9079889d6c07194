// A DNA stretch with enhancer-promoter pairs: each enhancer carries a motif
// (three copies of a 12-base site) and the promoter it drives, thousands of
// bases downstream, carries the same site next to a TATA box. With k-mer
// tokens, equal k-mers get equal embeddings, so each promoter attends back to
// its own enhancer across the gap.
#include <algorithm>

#include "common/error.hpp"
#include "common/rng.hpp"
#include "sequence/samples.hpp"

namespace attnscope {

namespace {

char randomBase(Rng& rng) {
  // About 42% GC, as in much of the human genome.
  const double u = rng.uniform();
  return u < 0.29 ? 'A' : u < 0.58 ? 'T' : u < 0.79 ? 'G' : 'C';
}

std::string randomBases(Rng& rng, size_t count) {
  std::string s;
  for (size_t i = 0; i < count; ++i) s += randomBase(rng);
  return s;
}

}  // namespace

Sequence makeDnaSample(int64_t n, uint64_t seed, int k) {
  if (k < 1 || k > 6) throw Error(ErrorKind::InvalidArgument, "k-mer length must be in [1, 6], got " + std::to_string(k));
  if (n < 1) throw Error(ErrorKind::InvalidArgument, "sample length must be at least 1");
  Rng rng(seed ^ 0xD7Aull);
  const size_t length = static_cast<size_t>(n) + static_cast<size_t>(k) - 1;
  std::string bases = randomBases(rng, length);
  std::vector<bool> used(length, false);

  // Gaps of a few thousand bases when there is room, shorter otherwise.
  const double gapBase = std::clamp(static_cast<double>(length) / 3.0, 16.0, 4000.0);
  const size_t pairs = std::max<size_t>(1, length / 3000);
  auto place = [&](size_t at, const std::string& what) {
    if (at + what.size() > length) return false;
    for (size_t i = at; i < at + what.size(); ++i)
      if (used[i]) return false;
    std::copy(what.begin(), what.end(), bases.begin() + static_cast<std::ptrdiff_t>(at));
    std::fill(used.begin() + static_cast<std::ptrdiff_t>(at), used.begin() + static_cast<std::ptrdiff_t>(at + what.size()), true);
    return true;
  };
  bool placedAny = false;
  std::string firstSite;
  for (size_t p = 0; p < pairs; ++p) {
    const std::string site = randomBases(rng, 12);
    if (p == 0) firstSite = site;
    const std::string enhancer = site + randomBases(rng, 4) + site + randomBases(rng, 4) + site;
    const std::string promoter = site + randomBases(rng, 6) + "TATAAAAG" + randomBases(rng, 22) + "ATG";
    const auto gap = static_cast<size_t>(gapBase * (0.7 + 0.6 * rng.uniform()));
    // Promoters spread over the sequence; each enhancer sits `gap` before its promoter.
    const size_t promoterAt = std::max(length * (p + 1) / (pairs + 1), gap);
    if (gap < enhancer.size() || promoterAt + promoter.size() > length) continue;
    if (place(promoterAt - gap, enhancer) && place(promoterAt, promoter)) placedAny = true;
  }
  // Too short for a full pair: the shared site at both ends still pairs up.
  if (!placedAny && length >= 2 * firstSite.size()) {
    place(0, firstSite);
    place(length - firstSite.size(), firstSite);
  }

  Sequence seq;
  seq.name = "dna";
  seq.kind = SequenceKind::Dna;
  seq.labels.reserve(static_cast<size_t>(n));
  for (size_t i = 0; i + static_cast<size_t>(k) <= length; ++i) seq.labels.push_back(bases.substr(i, static_cast<size_t>(k)));
  return seq;
}

}  // namespace attnscope
