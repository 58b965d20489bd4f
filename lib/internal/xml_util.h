// File: lib/internal/xml_util.h
//
// INTERNAL. Small pugixml helpers shared by the TED and eForms importers:
// element lookup by local name (TED and eForms mix default and prefixed
// namespaces), text of a subtree, and NUTS code normalisation.
#ifndef PROCMATCH_LIB_INTERNAL_XML_UTIL_H_
#define PROCMATCH_LIB_INTERNAL_XML_UTIL_H_

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace procmatch {
namespace internal {

// Parses `xml` (UTF-8) into `doc`; InvalidArgument naming `source` and the
// byte offset when it is not well-formed.
absl::Status ParseXml(absl::string_view source, absl::string_view xml,
                      pugi::xml_document* doc);

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

// A NUTS code as NUTS 2021 knows it: itself when known, else its longest
// known prefix (with a warning added), else "" (with a warning).
std::string NutsCode2021(absl::string_view code, absl::string_view where,
                         std::vector<std::string>* warnings);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_XML_UTIL_H_
