#include "procmatch/internal/xml_util.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "procmatch/nuts.h"

namespace procmatch {
namespace internal {
namespace {

void Collect(const pugi::xml_node& node, absl::string_view name, bool first,
             std::vector<pugi::xml_node>* out) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (LocalName(c) == name) {
      out->push_back(c);
      if (first) return;
    }
    Collect(c, name, first, out);
    if (first && !out->empty()) return;
  }
}

void AppendText(const pugi::xml_node& node, std::string* out) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      absl::StrAppend(out, " ", c.value());
    } else if (c.type() == pugi::node_element) {
      AppendText(c, out);
    }
  }
}

}  // namespace

absl::Status ParseXml(absl::string_view source, absl::string_view xml,
                      pugi::xml_document* doc) {
  const pugi::xml_parse_result parsed = doc->load_buffer(
      xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not well-formed XML at byte ", parsed.offset,
                     ": ", parsed.description()));
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
  std::string raw;
  AppendText(node, &raw);
  std::string out;
  bool space = false;
  for (char c : raw) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
    } else {
      if (space) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
  }
  return out;
}

std::string NutsCode2021(absl::string_view code, absl::string_view where,
                         std::vector<std::string>* warnings) {
  const NutsTaxonomy& nuts = NutsTaxonomy::Builtin();
  std::string c = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(code));
  if (c.empty()) return "";
  if (nuts.Parse(c).ok()) return c;
  for (size_t len = std::min<size_t>(c.size(), 5) - 1; len >= 2; --len) {
    if (nuts.Parse(c.substr(0, len)).ok()) {
      warnings->push_back(absl::StrCat(where, ": NUTS code ", c,
                                       " is not in NUTS 2021; mapped to ",
                                       c.substr(0, len)));
      return c.substr(0, len);
    }
  }
  warnings->push_back(
      absl::StrCat(where, ": NUTS code ", c, " is not in NUTS 2021; dropped"));
  return "";
}

}  // namespace internal
}  // namespace procmatch
