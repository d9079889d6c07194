// A long contract-like document: each section defines named clauses, and later
// sections cite clauses defined many tokens earlier ("as set out in the Harbor
// clause of Section 2"), so a cited name pairs with its distant definition.
#include <array>
#include <string>

#include "common/rng.hpp"
#include "sequence/samples.hpp"
#include "sequence/text_tokenizer.hpp"

namespace attnscope {

namespace {

constexpr std::array<const char*, 48> kClauseNames = {
    "Harbor",   "Lantern",  "Quorum",   "Meridian", "Cobalt",   "Juniper", "Falcon",  "Granite",
    "Orchid",   "Sable",    "Tundra",   "Vesper",   "Willow",   "Zephyr",  "Amber",   "Basalt",
    "Cedar",    "Delta",    "Ember",    "Fjord",    "Garnet",   "Heron",   "Indigo",  "Jasper",
    "Kestrel",  "Lupine",   "Marlin",   "Nimbus",   "Onyx",     "Pallas",  "Quartz",  "Raven",
    "Saffron",  "Thistle",  "Umber",    "Vireo",    "Wren",     "Yarrow",  "Zircon",  "Aster",
    "Bramble",  "Cypress",  "Dune",     "Egret",    "Flint",    "Gale",    "Hazel",   "Ivory"};

constexpr std::array<const char*, 40> kFiller = {
    "the",     "party",   "shall",    "provide", "notice",  "within",    "thirty",   "days",
    "of",      "any",     "change",   "to",      "terms",   "and",       "conditions", "agreed",
    "herein",  "each",    "obligation", "remains", "binding", "until",   "expiry",   "or",
    "earlier", "termination", "by",   "written", "consent", "supplier",  "customer", "payment",
    "delivery", "records", "audit",   "reasonable", "costs", "services",  "warranty", "period"};

void appendSentence(std::string& out, Rng& rng, int words) {
  for (int w = 0; w < words; ++w) {
    out += kFiller[rng.below(kFiller.size())];
    out += ' ';
  }
}

}  // namespace

Sequence makeDocumentSample(int64_t n, uint64_t seed) {
  Rng rng(seed);
  std::string text = "MASTER SERVICES AGREEMENT .\n";
  std::vector<std::pair<int, std::string>> defined;  // (section, clause name)
  int section = 1;
  size_t nameCursor = rng.below(kClauseNames.size());
  // Generate text until it tokenizes to at least n tokens; 6 chars per token is a safe estimate.
  while (static_cast<int64_t>(text.size()) < n * 7 + 64) {
    text += "Section " + std::to_string(section) + " .\n";
    const int clauses = 2 + static_cast<int>(rng.below(3));
    for (int c = 0; c < clauses; ++c) {
      const std::string name = std::string(kClauseNames[nameCursor % kClauseNames.size()]) +
                               (nameCursor >= kClauseNames.size() ? std::to_string(nameCursor / kClauseNames.size()) : "");
      ++nameCursor;
      text += "The " + name + " clause : ";
      appendSentence(text, rng, 8 + static_cast<int>(rng.below(10)));
      text += ". ";
      // Cite one or two clauses defined in earlier sections, preferring old ones.
      if (!defined.empty()) {
        const int cites = 1 + static_cast<int>(rng.below(2));
        for (int k = 0; k < cites; ++k) {
          const auto& [sec, cited] = defined[rng.below(defined.size() / 2 + 1)];
          text += "As set out in the " + cited + " clause of Section " + std::to_string(sec) + " , ";
          appendSentence(text, rng, 5 + static_cast<int>(rng.below(6)));
          text += ". ";
        }
      }
      defined.emplace_back(section, name);
      text += "\n";
    }
    ++section;
  }
  Sequence seq;
  seq.name = "document";
  seq.kind = SequenceKind::Text;
  seq.labels = tokenizeText(text, static_cast<size_t>(n));
  return seq;
}

}  // namespace attnscope
