// File: lib/internal/xml_util.h
//
// INTERNAL. Helpers shared by the TED and eForms importers: parsing with a
// depth limit and without entities, element lookup by local name (TED and
// eForms mix default and prefixed namespaces), text of a subtree, NUTS code
// normalisation, the per-notice warning list with its cap, and lot ids made
// unique and short enough.
//
// Every walk below is iterative: a hostile document may nest 10^5 elements
// in under a megabyte, and a recursive walk would overflow the stack
// (pugixml's own parser and destructor are iterative too).
//
// Threading: reentrant.
#ifndef PROCMATCH_LIB_INTERNAL_XML_UTIL_H_
#define PROCMATCH_LIB_INTERNAL_XML_UTIL_H_

#include <functional>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace internal {

// The warnings of one notice, kept up to a cap: a hostile notice can raise
// one warning per element. Past the cap they are counted, and Finish() adds
// one last warning saying how many were dropped.
class NoticeWarnings {
 public:
  // `out` must outlive this object. REQUIRES: max >= 0.
  NoticeWarnings(std::vector<std::string>* out, int max)
      : out_(out), max_(max) {}

  void Add(std::string warning);
  // Adds "N more warnings dropped" when some were; call once, at the end.
  void Finish(absl::string_view source);

 private:
  std::vector<std::string>* out_;
  int max_;
  int dropped_ = 0;
};

// Parses `xml` (UTF-8) into `doc`. InvalidArgument naming `source` and the
// byte offset when it is not well-formed, or naming the limit when elements
// nest deeper than `max_depth` (the root element is level 1).
//
// Entities are never expanded and external entities never opened: pugixml
// expands only the five predefined entities and character references. Any
// other entity reference ("&xxe;") in text or an attribute is dropped, with
// a warning naming it, rather than left in the text as pugixml would leave
// it. (Byte offsets in messages then count in the text without them.)
absl::Status ParseXml(absl::string_view source, absl::string_view xml,
                      int max_depth, pugi::xml_document* doc,
                      NoticeWarnings* warnings);

// The element's name without its namespace prefix.
absl::string_view LocalName(const pugi::xml_node& node);

// Descendants (not the node itself) with that local name, in document order.
std::vector<pugi::xml_node> Descendants(const pugi::xml_node& node,
                                        absl::string_view local_name);

// The first descendant with that local name, or an empty node.
pugi::xml_node First(const pugi::xml_node& node, absl::string_view local_name);

// Direct children with that local name.
std::vector<pugi::xml_node> Children(const pugi::xml_node& node,
                                     absl::string_view local_name);

// All text below the node, paragraphs joined by spaces, whitespace folded.
std::string Text(const pugi::xml_node& node);

// The node's own text (its text children, not its descendants'), whitespace
// folded: for a code, which is one element's content.
std::string OwnText(const pugi::xml_node& node);

// A NUTS code as NUTS 2021 knows it: itself when known, else its longest
// known prefix (with a warning added), else "" (with a warning).
std::string NutsCode2021(absl::string_view code, absl::string_view where,
                         NoticeWarnings* warnings);

// The longest lot id kept: Validator's limit for ids.
inline constexpr size_t kMaxLotIdBytes = 128;

// `id` cut to its first bytes on a UTF-8 boundary, then "~" and 8 hex
// digits of a hash of the whole id, kMaxLotIdBytes long in all; `id`
// itself when it is short enough.
std::string ShortLotId(absl::string_view id);

// Makes the lot ids of `tender` unique and at most kMaxLotIdBytes long, and
// points its awards at the renamed lots, calling `warn` for each change:
//   - an id too long becomes ShortLotId(id);
//   - a repeated id gets "-N" (N the lot's position, or the next number
//     free), never an id that the notice gives another lot;
//   - an award names the first lot that had its id.
// Lots with an empty id are left alone.
void NormaliseLotIds(v1::Tender* tender,
                     const std::function<void(std::string)>& warn);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_XML_UTIL_H_
