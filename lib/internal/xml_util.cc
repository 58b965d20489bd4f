#include "procmatch/internal/xml_util.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "procmatch/nuts.h"

namespace procmatch {
namespace internal {
namespace {

// At most this many distinct entity names are listed in warnings.
constexpr int kMaxEntityNamesWarned = 10;

bool IsNameByte(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '-' || c == '.' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Finds the entity references pugixml would leave in the text as they are
// (all but &amp; &lt; &gt; &quot; &apos; and &#...;), in character data and
// attribute values, but not in comments, CDATA sections, processing
// instructions or the document type declaration. Appends each as (offset,
// length) to `refs`.
void FindUnknownEntityReferences(absl::string_view xml,
                                 std::vector<std::pair<size_t, size_t>>* refs) {
  auto reference_at = [&](size_t i) {
    size_t j = i + 1;
    while (j < xml.size() && IsNameByte(xml[j])) ++j;
    if (j == i + 1 || j >= xml.size() || xml[j] != ';') return;
    const absl::string_view name = xml.substr(i + 1, j - i - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" ||
        name == "apos") {
      return;
    }
    refs->emplace_back(i, j + 1 - i);
  };
  auto skip_past = [&](size_t from, absl::string_view end) {
    const size_t at = xml.find(end, from);
    return at == absl::string_view::npos ? xml.size() : at + end.size();
  };
  size_t i = 0;
  while (i < xml.size()) {
    const char c = xml[i];
    if (c == '&') {
      reference_at(i);
      ++i;
    } else if (c != '<') {
      ++i;
    } else if (absl::StartsWith(xml.substr(i), "<!--")) {
      i = skip_past(i + 4, "-->");
    } else if (absl::StartsWith(xml.substr(i), "<![CDATA[")) {
      i = skip_past(i + 9, "]]>");
    } else if (absl::StartsWith(xml.substr(i), "<?")) {
      i = skip_past(i + 2, "?>");
    } else if (absl::StartsWith(xml.substr(i), "<!")) {
      // <!DOCTYPE ...[ internal subset ]>: brackets and quotes nest.
      int brackets = 0;
      char quote = 0;
      for (++i; i < xml.size(); ++i) {
        const char d = xml[i];
        if (quote != 0) {
          if (d == quote) quote = 0;
        } else if (d == '"' || d == '\'') {
          quote = d;
        } else if (d == '[') {
          ++brackets;
        } else if (d == ']') {
          --brackets;
        } else if (d == '>' && brackets <= 0) {
          ++i;
          break;
        }
      }
    } else {
      // A tag: entity references may stand in its attribute values.
      char quote = 0;
      for (++i; i < xml.size(); ++i) {
        const char d = xml[i];
        if (quote != 0) {
          if (d == quote) {
            quote = 0;
          } else if (d == '&') {
            reference_at(i);
          }
        } else if (d == '"' || d == '\'') {
          quote = d;
        } else if (d == '>') {
          ++i;
          break;
        }
      }
    }
  }
}

void AppendFolded(absl::string_view raw, std::string* out, bool* space) {
  for (char c : raw) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      *space = !out->empty();
    } else {
      if (*space) out->push_back(' ');
      *space = false;
      out->push_back(c);
    }
  }
}

bool IsText(const pugi::xml_node& n) {
  return n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata;
}

// The next node after `n` in document order that is below `root`, or an
// empty node. With `skip_children`, `n`'s own subtree is passed over.
pugi::xml_node NextBelow(pugi::xml_node n, const pugi::xml_node& root,
                         bool skip_children) {
  if (!skip_children && n.first_child()) return n.first_child();
  while (n != root) {
    if (n.next_sibling()) return n.next_sibling();
    n = n.parent();
  }
  return pugi::xml_node();
}

void Collect(const pugi::xml_node& root, absl::string_view name, bool first,
             std::vector<pugi::xml_node>* out) {
  if (!root) return;
  for (pugi::xml_node n = NextBelow(root, root, false); n;
       n = NextBelow(n, root, false)) {
    if (n.type() == pugi::node_element && LocalName(n) == name) {
      out->push_back(n);
      if (first) return;
    }
  }
}

uint32_t Fnv1a32(absl::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

// `s`, cut to at most `max` bytes without splitting a UTF-8 sequence.
absl::string_view CutUtf8(absl::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return s.substr(0, cut);
}

}  // namespace

void NoticeWarnings::Add(std::string warning) {
  if (static_cast<int>(out_->size()) < max_) {
    out_->push_back(std::move(warning));
  } else {
    ++dropped_;
  }
}

void NoticeWarnings::Finish(absl::string_view source) {
  if (dropped_ == 0) return;
  out_->push_back(
      absl::StrCat(source, ": ", dropped_,
                   " more warnings dropped (limit max_warnings = ", max_, ")"));
  dropped_ = 0;
}

absl::Status ParseXml(absl::string_view source, absl::string_view xml,
                      int max_depth, pugi::xml_document* doc,
                      NoticeWarnings* warnings) {
  std::vector<std::pair<size_t, size_t>> refs;
  FindUnknownEntityReferences(xml, &refs);
  std::string cleaned;
  if (!refs.empty()) {
    std::map<std::string, int> names;
    cleaned.reserve(xml.size());
    size_t from = 0;
    for (const auto& [at, length] : refs) {
      cleaned.append(xml.data() + from, at - from);
      ++names[std::string(xml.substr(at, length))];
      from = at + length;
    }
    cleaned.append(xml.data() + from, xml.size() - from);
    xml = cleaned;
    int listed = 0;
    for (const auto& [name, count] : names) {
      if (++listed > kMaxEntityNamesWarned) {
        warnings->Add(absl::StrCat(source, ": ", names.size() - listed + 1,
                                   " more unknown entity names dropped"));
        break;
      }
      warnings->Add(absl::StrCat(
          source, ": entity reference ", name, " dropped (", count,
          count == 1 ? " time" : " times",
          "): procmatch never expands entities other than XML's five"));
    }
  }
  const pugi::xml_parse_result parsed = doc->load_buffer(
      xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not well-formed XML at byte ", parsed.offset,
                     ": ", parsed.description()));
  }
  // Depth by a walk in document order, counting levels down and up.
  int depth = 0;
  pugi::xml_node n = doc->first_child();
  if (n) depth = 1;
  while (n) {
    if (depth > max_depth) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": elements nest more than ", max_depth,
                       " levels deep (limit max_xml_depth)"));
    }
    if (n.first_child()) {
      n = n.first_child();
      ++depth;
      continue;
    }
    while (n && !n.next_sibling()) {
      n = n.parent();
      --depth;
      if (n == *doc) n = pugi::xml_node();
    }
    if (n) n = n.next_sibling();
  }
  return absl::OkStatus();
}

absl::string_view LocalName(const pugi::xml_node& node) {
  absl::string_view name = node.name();
  const size_t colon = name.find(':');
  return colon == absl::string_view::npos ? name : name.substr(colon + 1);
}

std::vector<pugi::xml_node> Descendants(const pugi::xml_node& node,
                                        absl::string_view local_name) {
  std::vector<pugi::xml_node> out;
  Collect(node, local_name, false, &out);
  return out;
}

pugi::xml_node First(const pugi::xml_node& node, absl::string_view local_name) {
  std::vector<pugi::xml_node> out;
  Collect(node, local_name, true, &out);
  return out.empty() ? pugi::xml_node() : out.front();
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& node,
                                     absl::string_view local_name) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c) == local_name) {
      out.push_back(c);
    }
  }
  return out;
}

std::string Text(const pugi::xml_node& node) {
  std::string out;
  if (!node) return out;
  bool space = false;
  // Text of elements only: comments and processing instructions are not
  // text, and their children (none) need no visit.
  for (pugi::xml_node n = NextBelow(node, node, false); n;
       n = NextBelow(n, node, n.type() != pugi::node_element)) {
    if (IsText(n)) {
      space = space || !out.empty();
      AppendFolded(n.value(), &out, &space);
    }
  }
  return out;
}

std::string OwnText(const pugi::xml_node& node) {
  std::string out;
  bool space = false;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (IsText(c)) {
      space = space || !out.empty();
      AppendFolded(c.value(), &out, &space);
    }
  }
  return out;
}

std::string NutsCode2021(absl::string_view code, absl::string_view where,
                         NoticeWarnings* warnings) {
  const NutsTaxonomy& nuts = NutsTaxonomy::Builtin();
  std::string c = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(code));
  if (c.empty()) return "";
  if (nuts.Parse(c).ok()) return c;
  for (size_t len = std::min<size_t>(c.size(), 5) - 1; len >= 2; --len) {
    if (nuts.Parse(c.substr(0, len)).ok()) {
      warnings->Add(absl::StrCat(where, ": NUTS code ", c,
                                 " is not in NUTS 2021; mapped to ",
                                 c.substr(0, len)));
      return c.substr(0, len);
    }
  }
  warnings->Add(
      absl::StrCat(where, ": NUTS code ", c, " is not in NUTS 2021; dropped"));
  return "";
}

std::string ShortLotId(absl::string_view id) {
  if (id.size() <= kMaxLotIdBytes) return std::string(id);
  const std::string hash =
      absl::StrCat("~", absl::Hex(Fnv1a32(id), absl::kZeroPad8));
  return absl::StrCat(CutUtf8(id, kMaxLotIdBytes - hash.size()), hash);
}

void NormaliseLotIds(v1::Tender* tender,
                     const std::function<void(std::string)>& warn) {
  // Ids the notice gives: a new id must take none of them.
  absl::flat_hash_set<std::string> given;
  for (const v1::Lot& lot : tender->lots()) {
    if (lot.id().size() <= kMaxLotIdBytes) given.insert(lot.id());
  }
  absl::flat_hash_set<std::string> used;
  absl::flat_hash_map<std::string, std::string> renamed;  // First lot's.
  for (int i = 0; i < tender->lots_size(); ++i) {
    v1::Lot& lot = *tender->mutable_lots(i);
    const std::string id = lot.id();
    if (id.empty()) continue;
    const bool too_long = id.size() > kMaxLotIdBytes;
    if (!too_long && used.insert(id).second) {
      renamed.emplace(id, id);
      continue;
    }
    const std::string base = ShortLotId(id);
    std::string fresh = base;
    if (!too_long || used.contains(fresh) || given.contains(fresh)) {
      for (int n = i + 1;; ++n) {
        const std::string suffix = absl::StrCat("-", n);
        fresh =
            absl::StrCat(CutUtf8(base, kMaxLotIdBytes - suffix.size()), suffix);
        if (!used.contains(fresh) && !given.contains(fresh)) break;
      }
    }
    used.insert(fresh);
    const bool first = renamed.emplace(id, fresh).second;
    if (first && too_long) {
      warn(absl::StrCat("lot id of ", id.size(), " bytes is longer than ",
                        kMaxLotIdBytes, "; shortened to \"", fresh, "\""));
    } else {
      warn(absl::StrCat(
          "lot ", i + 1, ": id \"", CutUtf8(id, 64), too_long ? "...\"" : "\"",
          " is given to an earlier lot too; this one is now \"", fresh, "\""));
    }
    lot.set_id(fresh);
  }
  for (v1::ContractAward& award : *tender->mutable_awards()) {
    if (award.lot_id().empty()) continue;
    auto it = renamed.find(award.lot_id());
    if (it != renamed.end()) {
      award.set_lot_id(it->second);
    } else if (award.lot_id().size() > kMaxLotIdBytes) {
      award.set_lot_id(ShortLotId(award.lot_id()));
    }
  }
}

}  // namespace internal
}  // namespace procmatch
