#include "procmatch/track_record.h"

#include <algorithm>
#include <functional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "procmatch/cpv.h"
#include "procmatch/dates.h"
#include "procmatch/iso_codes.h"
#include "procmatch/nuts.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace {

// A legal form: its words, folded and without dots, their letters, and
// the countries (ISO 3166-1) where it is a legal form, so that a name may
// start with it there: "AS Tallinna Vesi" (EE), "SIA Latvijas Gaze" (LV),
// "ЕТ „Name“" (BG), "SC Name SRL" (RO), "Oy IBM Finland Ab" (FI), "SA
// Aubonnet et Fils" (FR). A first word that is a legal form only elsewhere
// is part of the name: "AS Formation" (FR), "AS Fassaden GmbH" (DE).
struct LegalForm {
  std::vector<std::string> words;
  std::string letters;
  std::vector<std::string> leading_countries;

  // With no country, any legal form may lead.
  bool MayLead(absl::string_view country) const {
    return country.empty() ||
           std::find(leading_countries.begin(), leading_countries.end(),
                     country) != leading_countries.end();
  }
};

// Legal-form words and word sequences as they end or start company names
// across the EU, each with the countries where it may start one (none: it
// only ends names). A form matches its own words, or a run of short words
// spelling its letters: "sp z oo" also matches "sp z o o" (from "Sp. z o.
// o.") and "co kg" matches "cokg" (from "Co.KG").
constexpr struct {
  const char* words;
  const char* leading_countries;
} kLegalForms[] = {
    // Belgium, France, Luxembourg, Netherlands.
    {"sa", "BE FR LU CH RO PL ES PT"},
    {"nv", "BE NL"},
    {"bv", "BE NL"},
    {"bvba", "BE"},
    {"srl", "BE RO IT"},
    {"sprl", "BE"},
    {"scrl", "BE"},
    {"sc", "BE RO"},
    {"cv", "BE NL"},
    {"vof", "BE NL"},
    {"sas", "FR LU"},
    {"sasu", "FR LU"},
    {"sarl", "FR LU CH"},
    {"eurl", "FR"},
    {"snc", "FR LU"},
    {"sca", "FR LU"},
    {"scs", "FR LU"},
    {"comm v", "BE"},
    {"commv", "BE"},
    {"asbl", "BE LU"},
    {"vzw", "BE"},
    // Germany, Austria, Switzerland.
    {"gmbh", "BE LU DE AT CH"},
    {"ag", "BE DE AT CH"},
    {"kg", "DE AT"},
    {"ohg", "DE"},
    {"ug", "DE"},
    {"gbr", "DE"},
    {"ev", "DE AT"},
    {"gmbh co kg", ""},
    {"gmbh und co kg", ""},
    {"co kg", ""},
    {"se", "BE FR LU NL DE AT"},
    {"kgaa", "DE"},
    // UK, Ireland.
    {"ltd", "CY IE MT GB"},
    {"limited", ""},
    {"plc", "IE MT GB"},
    {"llp", "GB"},
    {"llc", ""},
    {"inc", ""},
    {"corp", ""},
    // European economic interest groupings.
    {"eeig", ""},
    {"geie", "FR LU"},
    {"ewiv", "DE AT"},
    // Nordics, Baltics.
    {"oy", "FI"},
    {"oyj", "FI"},
    {"ab", "FI SE LT"},
    {"abp", "FI"},
    {"as", "EE LV DK NO CZ SK"},
    {"asa", "NO"},
    {"aps", "DK"},
    {"ky", "FI"},
    {"ry", "FI"},
    {"tmi", "FI"},
    {"uab", "LT"},
    {"ou", "EE"},
    {"sia", "LV"},
    // South.
    {"spa", "IT"},
    {"sl", "ES"},
    {"slu", "ES"},
    {"sll", "ES"},
    {"lda", "PT"},
    {"unipessoal lda", ""},
    {"sagl", "CH"},
    {"sau", "ES"},
    // Central and Eastern Europe.
    {"sp z oo", "PL"},
    {"spz oo", "PL"},
    {"sp k", "PL"},
    {"spolka komandytowa", ""},
    {"spolka z ograniczona odpowiedzialnoscia", ""},
    {"sro", "CZ SK"},
    {"spol sro", "CZ SK"},
    {"kft", "HU"},
    {"zrt", "HU"},
    {"nyrt", "HU"},
    {"bt", "HU"},
    {"doo", "SI HR"},
    {"dd", "SI HR"},
    {"ad", "BG"},
    {"ood", "BG"},
    {"eood", "BG"},
    {"et", "BG"},
    {"еоод", "BG"},
    {"оод", "BG"},
    {"ад", "BG"},
    {"ет", "BG"},
    {"ead", "BG"},
    {"еад", "BG"},
    // Long forms and forms found missing in data/ted winners.
    {"gmbh co", ""},
    {"ay", "FI"},
    {"spolka akcyjna", ""},
    {"spolka jawna", ""},
    {"sp j", "PL"},
    {"sp komandytowa", ""},
    {"korlatolt felelossegu tarsasag", ""},
    {"nonprofit korlatolt felelossegu tarsasag", ""},
    {"zartkoruen mukodo reszvenytarsasag", ""},
    {"sociedad anonima", ""},
    {"sociedad limitada", ""},
    {"societa cooperativa", ""},
    {"societa cooperativa sociale", ""},
    {"onlus", ""},
    {"scarl", "IT"},
    {"srls", "IT"},
    // Greece.
    {"ae", "GR"},
    {"αε", "GR"},
    {"οε", "GR"},
    {"επε", "GR"},
    {"εε", "GR"},
    {"ικε", "GR"},
    {"ανωνυμη εταιρεια", ""},
    {"ανωνυμοσ εταιρεια", ""},
    {"ανωνυμοσ εταιρια", ""},
};

const std::vector<LegalForm>& LegalForms() {
  static const auto* forms = [] {
    auto* out = new std::vector<LegalForm>;
    for (const auto& f : kLegalForms) {
      LegalForm form;
      form.words = absl::StrSplit(f.words, ' ');
      form.letters = absl::StrJoin(form.words, "");
      form.leading_countries =
          absl::StrSplit(f.leading_countries, ' ', absl::SkipEmpty());
      out->push_back(std::move(form));
    }
    // Longest first, so that "gmbh co kg" goes before "kg".
    std::sort(out->begin(), out->end(), [](const auto& a, const auto& b) {
      return a.letters.size() > b.letters.size();
    });
    return out;
  }();
  return *forms;
}

// A word longer than this is never one letter group of a spaced form.
constexpr size_t kMaxSpacedPart = 4;

// Removes one legal form from the end (or start: one of `country`'s) of
// `words`, keeping a word at least.
bool StripAt(std::vector<std::string>* words, bool at_end,
             absl::string_view country = "") {
  for (const LegalForm& form : LegalForms()) {
    if (!at_end && !form.MayLead(country)) continue;
    std::string letters;
    bool short_words = true;
    for (size_t k = 1;
         k < words->size() && letters.size() < form.letters.size(); ++k) {
      const std::string& w =
          at_end ? (*words)[words->size() - k] : (*words)[k - 1];
      letters = at_end ? absl::StrCat(w, letters) : absl::StrCat(letters, w);
      short_words = short_words && w.size() <= kMaxSpacedPart;
      if (letters != form.letters) continue;
      const auto first = at_end ? words->end() - k : words->begin();
      const bool same_words =
          k == form.words.size() &&
          std::equal(form.words.begin(), form.words.end(), first);
      if (!same_words && !short_words) break;
      words->erase(first, first + k);
      return true;
    }
  }
  return false;
}

// Folds a name and turns the characters that join or enclose its words
// into spaces; dots go ("S.A." -> "sa", "s.r.o." -> "sro").
std::vector<std::string> NameWords(absl::string_view text) {
  // Typographic quotes, which enclose the name proper in many countries
  // ("„Бент Ойл“ АД", "«Tor Vergata»"), separate words like ASCII quotes;
  // Greek accents fold like Latin ones, and final sigma like capital sigma
  // folds ("ΘΑΛΗΣ", "Θαλής").
  std::string folded = absl::StrReplaceAll(
      FoldText(text),
      {{"\u201E", " "}, {"\u201C", " "}, {"\u201D", " "}, {"\u201A", " "},
       {"\u2018", " "}, {"\u2019", " "}, {"\u00AB", " "}, {"\u00BB", " "},
       {"\u2039", " "}, {"\u203A", " "}, {"ά", "α"},      {"έ", "ε"},
       {"ή", "η"},      {"ί", "ι"},      {"ό", "ο"},      {"ύ", "υ"},
       {"ώ", "ω"},      {"ϊ", "ι"},      {"ϋ", "υ"},      {"ΐ", "ι"},
       {"ΰ", "υ"},      {"ς", "σ"}});
  std::string cleaned;
  for (char c : folded) {
    if (c == '.') continue;
    const bool punct = c == ',' || c == '\'' || c == '"' || c == '(' ||
                       c == ')' || c == '&' || c == '/' || c == '-' ||
                       c == ';' || c == ':' || c == '+' || c == '`';
    cleaned.push_back(punct ? ' ' : c);
  }
  std::vector<std::string> words =
      absl::StrSplit(cleaned, ' ', absl::SkipEmpty());
  // Dashes and other General Punctuation (U+2000-U+206F: UTF-8 E2 80 xx or
  // E2 81 xx) standing alone separate words; they are not words.
  auto punctuation = [](const std::string& w) {
    for (size_t i = 0; i < w.size(); i += 3) {
      if (i + 2 >= w.size() || static_cast<unsigned char>(w[i]) != 0xE2 ||
          (static_cast<unsigned char>(w[i + 1]) & 0xFE) != 0x80) {
        return false;
      }
    }
    return true;
  };
  words.erase(std::remove_if(words.begin(), words.end(), punctuation),
              words.end());
  return words;
}

// The parts of a name between separators: a comma, semicolon, colon,
// parenthesis, or a dash (-, –, —) with a space on either side; a hyphen
// inside a word ("Hoito-ja", "Mastër-PIK") does not separate.
std::vector<absl::string_view> NameSegments(absl::string_view name) {
  std::vector<absl::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    size_t len = 0;
    if (absl::string_view(",;:()").find(name[i]) != absl::string_view::npos) {
      len = 1;
    } else {
      const size_t dash = name[i] == '-' ? 1
                          : (absl::StartsWith(name.substr(i), "\u2013") ||
                             absl::StartsWith(name.substr(i), "\u2014"))
                              ? 3
                              : 0;
      if (dash > 0 && ((i > 0 && name[i - 1] == ' ') ||
                       (i + dash < name.size() && name[i + dash] == ' '))) {
        len = dash;
      }
    }
    if (len == 0) continue;
    out.push_back(name.substr(start, i - start));
    start = i + len;
    i += len - 1;
  }
  out.push_back(name.substr(start));
  return out;
}

// The number of leading words that label a joint bid rather than name a
// company ("Konsorcjum:", "Lider konsorcjum –", "Κ/Ξ:", "ДЗЗД"), 0 if none.
size_t ConsortiumLabel(const std::vector<std::string>& words) {
  static const auto* labels = new std::vector<std::vector<std::string>>{
      {"lider", "konsorcjum"}, {"konsorcjum", "firm"},
      {"konsorcjum"},          {"consortium"},
      {"groupement"},          {"κ", "ξ"},
      {"κοινοπραξια"},         {"дззд"},
      {"консорциум"}};
  size_t n = 0;
  bool more = true;
  while (more) {
    more = false;
    for (const auto& label : *labels) {
      if (n + label.size() < words.size() &&
          std::equal(label.begin(), label.end(), words.begin() + n)) {
        n += label.size();
        more = true;
        break;
      }
    }
  }
  return n;
}

// FNV-1a: ids must be the same in every run and on every machine, which
// absl::Hash (seeded per process) is not.
uint32_t StableHash(absl::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

std::string SupplierId(const std::string& country, const std::string& key) {
  std::string slug = key;
  std::replace(slug.begin(), slug.end(), ' ', '-');
  std::string id =
      absl::StrCat("ted:", country.empty() ? "XX" : country, ":", slug);
  if (id.size() > 100) {
    // Cut on a character boundary and keep the whole key in a hash.
    size_t cut = 90;
    while (cut > 0 && (static_cast<unsigned char>(id[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    id = absl::StrFormat("%s-%08x", id.substr(0, cut), StableHash(key));
  }
  return id;
}

// A registration number across spellings: "country/letters and digits",
// upper-case, without a leading country prefix ("FR 123.456.789" and
// "123456789" in FR agree); "" for none or a placeholder (fewer than 5
// letters and digits, no digit, or one character repeated: "0000000").
std::string IdentifierKey(const v1::Awardee& winner) {
  if (!IsIsoCountry(winner.country())) return "";
  std::string id;
  for (char c : winner.identifier()) {
    if (absl::ascii_isalnum(c)) id.push_back(absl::ascii_toupper(c));
  }
  std::string prefix = winner.country();
  if (prefix == "GR") prefix = "EL";  // Greek VAT numbers start "EL".
  if (absl::StartsWith(id, winner.country()) || absl::StartsWith(id, prefix)) {
    id = id.substr(2);
  }
  const bool digit = std::any_of(id.begin(), id.end(), absl::ascii_isdigit);
  const bool repeated =
      !id.empty() && id.find_first_not_of(id[0]) == std::string::npos;
  if (id.size() < 5 || !digit || repeated) return "";
  return absl::StrCat(winner.country(), "/", id);
}

// A buyer across notices: its country and folded name.
std::string BuyerKey(const std::string& country, const std::string& name) {
  return absl::StrCat(country, "/", FoldText(name));
}

template <typename K>
const K& MostFrequent(const std::map<K, int>& counts) {
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    if (it->second > best->second) best = it;
  }
  return best->first;
}

}  // namespace

std::string CompanyNameKey(absl::string_view name, absl::string_view town,
                           absl::string_view country) {
  if (!IsValidUtf8(name)) return "";
  std::vector<std::string> words;
  std::vector<size_t> breaks;  // Word indices where a separator was.
  for (absl::string_view segment : NameSegments(name)) {
    if (!words.empty()) breaks.push_back(words.size());
    for (std::string& w : NameWords(segment)) words.push_back(std::move(w));
  }
  if (words.empty()) return "";
  // The winner's own town after the name ("Vetrea Terveys Oy Joensuu")
  // separates like a comma.
  const std::vector<std::string> town_words = NameWords(town);
  if (!town_words.empty() && town_words.size() < words.size() &&
      std::equal(town_words.begin(), town_words.end(),
                 words.end() - town_words.size())) {
    breaks.push_back(words.size() - town_words.size());
  }
  std::sort(breaks.begin(), breaks.end());
  // A joint bid's label goes ("Konsorcjum: DGP Security Partner ..."),
  // when a name of two words at least follows ("Consortium SA" stays).
  size_t label = ConsortiumLabel(words);
  if (label + 2 > words.size()) label = 0;
  words.erase(words.begin(), words.begin() + label);
  std::vector<size_t> parts;  // Where each part after the label starts.
  for (size_t b : breaks) {
    if (b > label && b < words.size() + label) parts.push_back(b - label);
  }
  parts.push_back(words.size());
  // Whether words [from, to) end with a legal form after a word at least.
  auto company = [&words](size_t from, size_t to) {
    std::vector<std::string> part(words.begin() + from, words.begin() + to);
    return StripAt(&part, /*at_end=*/true);
  };
  // A name ended by a legal form and a separator is the company; what
  // follows is a branch, a town or a role ("DB Regio AG, Regio Nordost",
  // "IMPEL SAFETY Sp. z o.o. (Partner)"), unless a part of it is a company
  // itself (a second member, a former name: it ends with a legal form).
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!company(0, parts[i])) continue;
    bool another = false;
    for (size_t j = i + 1; j < parts.size() && !another; ++j) {
      another = company(parts[i], parts[j]) || company(parts[j - 1], parts[j]);
    }
    if (!another) words.resize(parts[i]);
    break;
  }
  while (StripAt(&words, /*at_end=*/true)) {
  }
  while (StripAt(&words, /*at_end=*/false, country)) {
  }
  return absl::StrJoin(words, " ");
}

std::string TrackRecordSupplierId(const v1::Awardee& winner) {
  const std::string country =
      IsIsoCountry(winner.country()) ? winner.country() : "";
  const std::string key = CompanyNameKey(winner.name(), winner.town(), country);
  if (key.empty()) return "";
  return SupplierId(country, key);
}

bool TrackRecordBuilder::AddAwards(const v1::Tender& notice) {
  if (!notice.source_notice_id().empty() &&
      !notices_.insert(notice.source_notice_id()).second) {
    ++duplicates_;
    return false;
  }
  if (!notice.buyer().name().empty() &&
      !notice.buyer().main_activity().empty()) {
    ++buyer_activities_[BuyerKey(notice.buyer().country(),
                                 notice.buyer().name())]
                       [notice.buyer().main_activity()];
  }
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  for (const v1::ContractAward& award : notice.awards()) {
    if (award.winners_size() == 0) continue;
    ++awards_;
    // What was bought: the lot's codes, else the notice's.
    std::vector<std::string> codes;
    const v1::Lot* lot = nullptr;
    for (const v1::Lot& l : notice.lots()) {
      if (!award.lot_id().empty() && l.id() == award.lot_id()) lot = &l;
    }
    auto add = [&](const std::string& c) {
      if (!c.empty() && cpv.Parse(c).ok() &&
          std::find(codes.begin(), codes.end(), c) == codes.end()) {
        codes.push_back(c);
      }
    };
    if (lot != nullptr) {
      add(lot->main_cpv());
      for (const auto& c : lot->additional_cpv()) add(c);
    }
    if (codes.empty()) {
      add(notice.main_cpv());
      for (const auto& c : notice.additional_cpv()) add(c);
    }
    v1::PastContract contract;
    contract.set_buyer_name(notice.buyer().name());
    contract.set_buyer_country(notice.buyer().country());
    contract.set_buyer_activity(notice.buyer().main_activity());
    contract.set_title(!award.title().empty()
                           ? award.title()
                           : (lot != nullptr && !lot->title().empty()
                                  ? lot->title()
                                  : notice.title()));
    contract.set_language(notice.language());
    for (const auto& c : codes) contract.add_cpv_codes(c);
    if (award.has_value()) *contract.mutable_value() = award.value();
    if (award.has_award_date()) {
      *contract.mutable_award_date() = award.award_date();
    } else if (notice.has_published()) {
      *contract.mutable_award_date() = ToDate(UtcDay(notice.published()));
    }
    contract.set_role(award.winners_size() > 1
                          ? v1::CONTRACT_ROLE_CONSORTIUM_MEMBER
                          : v1::CONTRACT_ROLE_PRIME);
    contract.set_source_notice_id(notice.source_notice_id());

    for (const v1::Awardee& a : award.winners()) {
      const std::string id = TrackRecordSupplierId(a);
      if (id.empty()) continue;
      const std::string identifier = IdentifierKey(a);
      if (!identifier.empty()) identifiers_[identifier].insert(id);
      Winner& w = winners_[id];
      w.country = IsIsoCountry(a.country()) ? a.country() : std::string();
      ++w.spellings[a.name()];
      if (!a.town().empty()) ++w.towns[a.town()];
      if (!a.nuts_code().empty()) ++w.nuts[a.nuts_code()];
      w.sme = w.sme || a.sme();
      w.contracts.push_back(contract);
    }
  }
  return true;
}

std::map<std::string, std::string> TrackRecordBuilder::MergedInto() const {
  // Union-find over the ids that share a registration number.
  std::map<std::string, std::string> parent;
  std::function<std::string(const std::string&)> find =
      [&](const std::string& id) -> std::string {
    auto it = parent.find(id);
    if (it == parent.end() || it->second == id) return id;
    return it->second = find(it->second);
  };
  for (const auto& [identifier, ids] : identifiers_) {
    for (const std::string& id : ids) {
      const std::string a = find(*ids.begin()), b = find(id);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  }
  // Each group's id: the member with the most contracts, then the smallest.
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& [id, p] : parent) groups[find(id)].push_back(id);
  std::map<std::string, std::string> out;
  for (auto& [root, members] : groups) {
    members.push_back(root);
    std::string best = root;
    for (const std::string& m : members) {
      const size_t n = winners_.at(m).contracts.size();
      const size_t best_n = winners_.at(best).contracts.size();
      if (n > best_n || (n == best_n && m < best)) best = m;
    }
    for (const std::string& m : members) {
      if (m != best) out[m] = best;
    }
  }
  return out;
}

std::map<std::string, TrackRecordBuilder::Winner> TrackRecordBuilder::Resolved()
    const {
  const std::map<std::string, std::string> merged = MergedInto();
  if (merged.empty()) return winners_;
  std::map<std::string, Winner> out;
  for (const auto& [id, w] : winners_) {
    if (!merged.count(id)) out[id] = w;
  }
  for (const auto& [from, into] : merged) {
    const Winner& w = winners_.at(from);
    Winner& to = out[into];
    for (const auto& [s, n] : w.spellings) to.spellings[s] += n;
    for (const auto& [t, n] : w.towns) to.towns[t] += n;
    for (const auto& [c, n] : w.nuts) to.nuts[c] += n;
    to.sme = to.sme || w.sme;
    to.contracts.insert(to.contracts.end(), w.contracts.begin(),
                        w.contracts.end());
  }
  return out;
}

std::string TrackRecordBuilder::SupplierIdOf(const v1::Awardee& winner) const {
  std::string id = TrackRecordSupplierId(winner);
  if (id.empty()) return id;
  auto known = identifiers_.find(IdentifierKey(winner));
  if (!winners_.count(id) && known != identifiers_.end()) {
    id = *known->second.begin();
  }
  const std::map<std::string, std::string> merged = MergedInto();
  auto it = merged.find(id);
  return it != merged.end() ? it->second : id;
}

std::vector<v1::SupplierProfile> TrackRecordBuilder::Build() const {
  const NutsTaxonomy& nuts = NutsTaxonomy::Builtin();
  std::vector<v1::SupplierProfile> out;
  for (const auto& [id, w] : Resolved()) {
    v1::SupplierProfile p;
    p.set_id(id);
    const std::string& name = MostFrequent(w.spellings);
    p.set_name(name);
    for (const auto& [spelling, n] : w.spellings) {
      if (spelling != name) p.add_alternative_names(spelling);
    }
    p.set_country(w.country);
    if (!w.towns.empty()) p.set_town(MostFrequent(w.towns));
    if (!w.nuts.empty()) {
      const std::string& code = MostFrequent(w.nuts);
      if (nuts.Parse(code).ok() && !w.country.empty() &&
          IsoCountryOfNuts(code.substr(0, 2)) == w.country) {
        p.set_nuts_code(code);
      }
    }
    if (w.sme) p.set_entity_type(v1::ENTITY_TYPE_SME);
    std::set<std::string> offered;
    for (const v1::PastContract& c : w.contracts) {
      v1::PastContract* added = p.add_past_contracts();
      *added = c;
      offered.insert(c.cpv_codes().begin(), c.cpv_codes().end());
      if (!c.buyer_activity().empty() || c.buyer_name().empty()) continue;
      auto known =
          buyer_activities_.find(BuyerKey(c.buyer_country(), c.buyer_name()));
      if (known != buyer_activities_.end()) {
        added->set_buyer_activity(MostFrequent(known->second));
      }
    }
    for (const std::string& c : offered) p.add_cpv_codes(c);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<SupplierMerge> TrackRecordBuilder::Merges() const {
  std::vector<SupplierMerge> out;
  for (const auto& [id, w] : Resolved()) {
    if (w.spellings.size() < 2) continue;
    SupplierMerge m{id, w.country, {}};
    std::vector<std::pair<int, std::string>> by_count;
    for (const auto& [s, n] : w.spellings) by_count.emplace_back(-n, s);
    std::sort(by_count.begin(), by_count.end());
    for (auto& [n, s] : by_count) m.spellings.push_back(s);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace procmatch
