// The reduced TED JSON of data/ted/ (one notice per line) as tenders.
#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "procmatch/internal/json_scan.h"
#include "procmatch/internal/ted_notice.h"
#include "procmatch/iso_codes.h"
#include "procmatch/ted_importer.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace {

using internal::LegalBasisOf;
using internal::ParseTedTime;
using internal::Reader;

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

const char* KindName(const Value& v) {
  switch (v.kind_case()) {
    case Value::kNullValue:
      return "null";
    case Value::kNumberValue:
      return "a number";
    case Value::kStringValue:
      return "a string";
    case Value::kBoolValue:
      return "a boolean";
    case Value::kStructValue:
      return "an object";
    case Value::kListValue:
      return "a list";
    default:
      return "nothing";
  }
}

// Typed access to the fields of one JSON object; a field of the wrong type
// is ignored with a warning naming it ("lots[2].winners: a string, not a
// list; ignored"). Null stands for absent.
class JsonFields {
 public:
  JsonFields(Reader& r, const Struct& s, std::string where)
      : r_(r), s_(s), where_(std::move(where)) {}

  std::string Str(const std::string& name) const {
    const Value* v = Get(name, Value::kStringValue, "a string");
    return v == nullptr ? "" : v->string_value();
  }

  // An id field as the XML importers read one: each run of ASCII white
  // space one space, none at the ends (a lot number "2\n" is "2"), since
  // validation refuses ids holding control characters.
  std::string Id(const std::string& name) const {
    std::string id = Str(name);
    for (char& c : id) {
      if (absl::ascii_isspace(static_cast<unsigned char>(c))) c = ' ';
    }
    absl::RemoveExtraAsciiWhitespace(&id);
    return id;
  }

  const ListValue& List(const std::string& name) const {
    static const auto* empty = new ListValue();
    const Value* v = Get(name, Value::kListValue, "a list");
    return v == nullptr ? *empty : v->list_value();
  }

  // The field when it holds a number, or null.
  const Value* Number(const std::string& name) const {
    return Get(name, Value::kNumberValue, "a number");
  }

  bool Bool(const std::string& name) const {
    const Value* v = Get(name, Value::kBoolValue, "a boolean");
    return v != nullptr && v->bool_value();
  }

  // The path of a field, for warnings.
  std::string Where(const std::string& name) const {
    return where_.empty() ? name : absl::StrCat(where_, ".", name);
  }

 private:
  const Value* Get(const std::string& name, Value::KindCase kind,
                   const char* expected) const {
    auto it = s_.fields().find(name);
    if (it == s_.fields().end() ||
        it->second.kind_case() == Value::kNullValue) {
      return nullptr;
    }
    if (it->second.kind_case() != kind) {
      r_.Warn(absl::StrCat("field ", Where(name), ": ", KindName(it->second),
                           ", not ", expected, "; ignored"));
      return nullptr;
    }
    return &it->second;
  }

  Reader& r_;
  const Struct& s_;
  std::string where_;
};

// The objects of a list; other elements are ignored with a warning.
std::vector<const Struct*> Objects(Reader& r, const ListValue& list,
                                   const std::string& where) {
  std::vector<const Struct*> out;
  for (int i = 0; i < list.values_size(); ++i) {
    const Value& v = list.values(i);
    if (v.has_struct_value()) {
      out.push_back(&v.struct_value());
    } else {
      r.Warn(absl::StrCat("field ", where, "[", i, "]: ", KindName(v),
                          ", not an object; ignored"));
    }
  }
  return out;
}

// The strings of a list; other elements are ignored with a warning.
std::vector<std::string> Strings(Reader& r, const ListValue& list,
                                 const std::string& where) {
  std::vector<std::string> out;
  for (int i = 0; i < list.values_size(); ++i) {
    const Value& v = list.values(i);
    if (v.kind_case() == Value::kStringValue) {
      out.push_back(v.string_value());
    } else if (v.kind_case() != Value::kNullValue) {
      r.Warn(absl::StrCat("field ", where, "[", i, "]: ", KindName(v),
                          ", not a string; ignored"));
    }
  }
  return out;
}

v1::NoticeKind KindOfForm(absl::string_view form, bool has_winners) {
  if (has_winners) return v1::NOTICE_KIND_CONTRACT_AWARD;
  if (form == "F01" || form == "F04" || form == "16") {
    return v1::NOTICE_KIND_PRIOR_INFORMATION;
  }
  if (form == "F02" || form == "F05" || form == "17") {
    return v1::NOTICE_KIND_CONTRACT_NOTICE;
  }
  if (form == "F03" || form == "F06" || form == "18") {
    return v1::NOTICE_KIND_CONTRACT_AWARD;
  }
  return v1::NOTICE_KIND_OTHER;
}

}  // namespace

absl::StatusOr<ImportedNotice> ImportTedReducedJson(
    absl::string_view source, absl::string_view line,
    const ImportLimits& limits) {
  line = internal::StripUtf8Bom(line);
  if (static_cast<int64_t>(line.size()) > limits.max_json_line_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": line of ", line.size(), " bytes, longer than the limit of ",
        limits.max_json_line_bytes, " (max_json_line_bytes)"));
  }
  // Before the parser: it takes super-quadratic time on deep nesting, and
  // keeps the last of duplicate keys without a word.
  internal::JsonScanOptions scan;
  scan.max_depth = limits.max_json_depth;
  absl::Status shape = internal::ScanJson(line, scan);
  if (!shape.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", shape.message()));
  }
  Struct s;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &s);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not a JSON object: ", parsed.message().as_string()));
  }
  ImportedNotice out;
  internal::NoticeWarnings warnings(&out.warnings, limits.max_warnings);
  // Before the doc_id is known, warnings name the line alone.
  Reader line_reader(source, &warnings);
  const std::string doc_id = JsonFields(line_reader, s, "").Id("doc_id");
  if (doc_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no doc_id"));
  }
  Reader r(absl::StrCat(source, " (", doc_id, ")"), &warnings);
  const JsonFields f(r, s, "");
  v1::Tender& t = out.tender;
  t.set_id(absl::StrCat("TED-", doc_id));
  t.set_source_notice_id(doc_id);
  t.set_title(f.Str("title"));
  t.set_description(f.Str("text"));
  std::string lang = absl::AsciiStrToLower(
      std::string(absl::string_view(f.Str("lang")).substr(0, 2)));
  if (t.title().empty() && t.description().empty()) {
    // Some notices (external aid) carry only TED's English title.
    t.set_title(f.Str("title_en"));
    lang = "en";
    if (t.title().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": notice ", doc_id, " has no title, title_en or text"));
    }
    r.Warn(
        "no title or text in the notice's language; TED's English title used");
  }
  if (IsIsoLanguage(lang)) t.set_language(lang);
  google::protobuf::Timestamp ts;
  const std::string date = f.Str("date");
  if (ParseTedTime(date, &ts)) {
    *t.mutable_published() = ts;
  } else if (!date.empty()) {
    r.Warn(absl::StrCat("field date: \"", date.substr(0, 40),
                        "\" is not a date (YYYYMMDD); ignored"));
  }
  t.mutable_buyer()->set_name(f.Str("buyer"));
  t.mutable_buyer()->set_country(r.Country(f.Str("country"), "country"));
  t.mutable_buyer()->set_main_activity(f.Str("buyer_activity"));
  const std::string form = f.Str("form");
  t.set_legal_basis(LegalBasisOf(f.Str("legal_basis"), form));
  std::string main;
  for (const std::string& c : Strings(r, f.List("cpv"), "cpv")) {
    std::string code = r.Cpv(c, "cpv");
    if (code.empty()) continue;
    if (main.empty()) {
      main = code;
      t.set_main_cpv(code);
    } else if (code != main) {
      t.add_additional_cpv(code);
    }
  }
  for (const std::string& n : Strings(r, f.List("nuts"), "nuts")) {
    std::string code = r.Nuts(n, "nuts");
    if (!code.empty() && std::find(t.nuts_codes().begin(), t.nuts_codes().end(),
                                   code) == t.nuts_codes().end()) {
      t.add_nuts_codes(code);
    }
  }
  const Value* value = f.Number("value_eur");
  if (value != nullptr && value->number_value() > 0) {
    t.mutable_estimated_value()->set_amount(value->number_value());
    t.mutable_estimated_value()->set_currency("EUR");
  }
  bool has_winners = false;
  // Each award's lot by position: a repeated lot id is renamed below, and
  // the award of the second such lot must follow it, not the first.
  std::vector<std::pair<int, int>> award_lots;
  const std::vector<const Struct*> lots = Objects(r, f.List("lots"), "lots");
  for (size_t i = 0; i < lots.size(); ++i) {
    const JsonFields lot(r, *lots[i], absl::StrCat("lots[", i, "]"));
    // Ids as the notice gives them; NormaliseLotIds makes them unique.
    const std::string id = lot.Id("lot");
    int lot_index = -1;
    if (!id.empty()) {
      lot_index = t.lots_size();
      v1::Lot* l = t.add_lots();
      l->set_id(id);
      l->set_title(lot.Str("title"));
      l->set_description(lot.Str("text"));
      for (const std::string& c :
           Strings(r, lot.List("cpv"), lot.Where("cpv"))) {
        std::string code = r.Cpv(c, absl::StrCat("lot ", id));
        if (code.empty()) continue;
        if (l->main_cpv().empty()) {
          l->set_main_cpv(code);
        } else if (code != l->main_cpv()) {
          l->add_additional_cpv(code);
        }
      }
      for (const std::string& n :
           Strings(r, lot.List("nuts"), lot.Where("nuts"))) {
        std::string code = r.Nuts(n, absl::StrCat("lot ", id));
        if (!code.empty()) l->add_nuts_codes(code);
      }
    }
    v1::ContractAward award;
    award.set_lot_id(id);
    award.set_title(lot.Str("title"));
    const std::string where = lot.Where("winners");
    const std::vector<const Struct*> winners =
        Objects(r, lot.List("winners"), where);
    for (size_t j = 0; j < winners.size(); ++j) {
      const JsonFields w(r, *winners[j], absl::StrCat(where, "[", j, "]"));
      v1::Awardee a;
      a.set_name(w.Str("name"));
      if (a.name().empty()) continue;
      a.set_country(r.Country(w.Str("country"), "winner"));
      a.set_town(w.Str("town"));
      a.set_nuts_code(r.Nuts(w.Str("nuts"), "winner"));
      a.set_sme(w.Bool("sme"));
      *award.add_winners() = std::move(a);
    }
    if (award.winners_size() > 0) {
      has_winners = true;
      award_lots.emplace_back(t.awards_size(), lot_index);
      *t.add_awards() = std::move(award);
    }
  }
  t.set_notice_kind(KindOfForm(form, has_winners));
  r.NormaliseLotIds(&t);
  for (const auto& [award, lot] : award_lots) {
    if (lot >= 0) t.mutable_awards(award)->set_lot_id(t.lots(lot).id());
  }
  r.Finish();
  Validator validator;
  absl::Status valid = validator.ValidateTender(t);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": imported record is invalid: ", valid.message()));
  }
  return out;
}

}  // namespace procmatch
