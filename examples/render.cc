#include "examples/render.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace procmatch {
namespace cli {
namespace {

bool StartsCodePoint(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
}

}  // namespace

std::string Cell(const std::string& text, size_t width) {
  if (width == 0) return "";
  // `keep` ends after the first width - 1 code points: where the text is cut
  // to leave room for the ellipsis, if it needs cutting at all.
  size_t chars = 0;
  size_t keep = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!StartsCodePoint(text[i])) continue;
    if (++chars == width) keep = i;
    if (chars > width) return text.substr(0, keep) + "…";
  }
  return text + std::string(width - chars, ' ');
}

std::string ComponentName(v1::ScoreComponentKind kind) {
  std::string name = v1::ScoreComponentKind_Name(kind);
  name = name.substr(std::string("SCORE_COMPONENT_KIND_").size());
  for (char& c : name) c = c == '_' ? ' ' : absl::ascii_tolower(c);
  return name;
}

std::string ShortDetail(const v1::SupplierMatch& m) {
  std::vector<const v1::ScoreComponent*> parts;
  for (const auto& c : m.components()) {
    if (c.contribution() > 0 && !c.detail().empty()) parts.push_back(&c);
  }
  std::sort(parts.begin(), parts.end(), [](auto* a, auto* b) {
    return a->contribution() > b->contribution();
  });
  std::vector<std::string> words;
  for (size_t i = 0; i < parts.size() && i < 2; ++i) {
    words.push_back(parts[i]->detail());
  }
  return absl::StrJoin(words, "; ");
}

void PrintTable(const v1::Tender& tender, const v1::MatchResponse& r,
                bool explain, std::ostream& out) {
  out << "== " << tender.id() << "  " << tender.title() << "\n";
  if (!tender.buyer().name().empty()) {
    out << "   " << tender.buyer().name() << " (" << tender.buyer().country()
        << ")";
    if (!r.lot_id().empty()) out << ", lot " << r.lot_id();
    out << "\n";
  }
  out << "   " << r.counters().suppliers_considered() << " suppliers";
  if (r.excluded_size() > 0)
    out << ", " << r.counters().excluded() << " excluded";
  out << "\n";
  if (r.matches_size() == 0) {
    out << "   no supplier fits: none eligible shows any positive evidence\n";
  }
  for (const v1::SupplierMatch& m : r.matches()) {
    // Explain answers from a library that does not rank give rank 0.
    const std::string rank = m.rank() > 0 ? absl::StrCat(m.rank()) : "-";
    out << absl::StrFormat("%3s. %.3f  %s %s\n", rank, m.score(),
                           Cell(m.supplier_name(), 36), ShortDetail(m));
    if (!explain) continue;
    for (const auto& c : m.components()) {
      out << absl::StrFormat("            %-24s %.3f x %.2f = %.3f  %s\n",
                             ComponentName(c.kind()), c.value(), c.weight(),
                             c.contribution(), c.detail());
    }
    for (const auto& req : m.requirements()) {
      out << "            " << (req.met() ? "[met]   " : "[unmet] ")
          << req.requirement_id() << ": " << req.reason() << "\n";
    }
  }
  for (const v1::Exclusion& e : r.excluded()) {
    std::vector<std::string> reasons;
    for (const auto& reason : e.reasons()) {
      reasons.push_back(
          absl::StrCat(reason.requirement_id(), ": ", reason.reason()));
    }
    out << "   x         " << Cell(e.supplier_name(), 36) << " "
        << absl::StrJoin(reasons, "; ") << "\n";
  }
  out << "\n";
}

}  // namespace cli
}  // namespace procmatch
