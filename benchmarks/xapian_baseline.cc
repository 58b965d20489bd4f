#include "benchmarks/xapian_baseline.h"

#include <stdlib.h>
#include <xapian.h>

#include <filesystem>

#include "procmatch/cpv.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {
namespace {

Xapian::Stem StemFor(const std::string& language) {
  try {
    return language.empty() ? Xapian::Stem() : Xapian::Stem(language);
  } catch (const Xapian::Error&) {
    return Xapian::Stem();  // No stemmer for that language.
  }
}

void AddCodeTerms(const std::string& text, Xapian::Document* doc) {
  absl::StatusOr<CpvCode> code = CpvTaxonomy::Builtin().Parse(text);
  if (!code.ok()) return;
  for (int d = code->depth(); d >= 2; --d) {
    doc->add_term("Q" + code->Truncated(d).ToString());
  }
}

}  // namespace

// Glass, Xapian's production backend, in a temporary directory: its
// in-memory backend is meant for tests and does not fit a million
// suppliers beside procmatch in 24 GB.
struct XapianBaseline::State {
  State() {
    char dir[] = "/tmp/procmatch-xapian-XXXXXX";
    path = mkdtemp(dir) != nullptr ? dir : "/tmp/procmatch-xapian";
    db = Xapian::WritableDatabase(path + "/db", Xapian::DB_CREATE_OR_OVERWRITE |
                                                    Xapian::DB_BACKEND_GLASS);
  }
  ~State() {
    db.close();
    std::filesystem::remove_all(path);
  }
  std::string path;
  Xapian::WritableDatabase db;
};

XapianBaseline::XapianBaseline() : state_(new State) {}
XapianBaseline::~XapianBaseline() = default;

void XapianBaseline::Commit() { state_->db.commit(); }

void XapianBaseline::Add(const v1::SupplierProfile& p) {
  Xapian::Document doc;
  Xapian::TermGenerator gen;
  gen.set_document(doc);
  auto index = [&](const std::string& text, const std::string& language) {
    if (text.empty()) return;
    const std::string lang = language.empty() ? GuessLanguage(text) : language;
    gen.set_stemmer(StemFor(lang));
    gen.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    gen.index_text(text);
    gen.increase_termpos();
  };
  index(p.name(), "");
  index(p.description(), p.description_language());
  for (const auto& c : p.capabilities()) index(c.description(), c.language());
  for (const auto& c : p.past_contracts()) {
    index(c.title(), c.language());
    index(c.description(), c.language());
  }
  for (const auto& c : p.cpv_codes()) AddCodeTerms(c, &doc);
  for (const auto& cap : p.capabilities()) {
    for (const auto& c : cap.cpv_codes()) AddCodeTerms(c, &doc);
  }
  for (const auto& pc : p.past_contracts()) {
    for (const auto& c : pc.cpv_codes()) AddCodeTerms(c, &doc);
  }
  doc.set_data(p.id());
  state_->db.add_document(doc);
}

int XapianBaseline::size() const {
  return static_cast<int>(state_->db.get_doccount());
}

std::vector<std::string> XapianBaseline::Top(const v1::Tender& t,
                                             const std::string& lot_id, int k,
                                             bool with_cpv) const {
  std::string text = t.title() + "\n" + t.description();
  std::vector<std::string> codes;
  const v1::Lot* lot = nullptr;
  for (const auto& l : t.lots()) {
    if (l.id() == lot_id) lot = &l;
  }
  if (lot != nullptr) {
    text += "\n" + lot->title() + "\n" + lot->description();
    if (!lot->main_cpv().empty()) codes.push_back(lot->main_cpv());
    codes.insert(codes.end(), lot->additional_cpv().begin(),
                 lot->additional_cpv().end());
  }
  if (codes.empty()) {
    if (!t.main_cpv().empty()) codes.push_back(t.main_cpv());
    codes.insert(codes.end(), t.additional_cpv().begin(),
                 t.additional_cpv().end());
  }
  const std::string lang =
      t.language().empty() ? GuessLanguage(text) : t.language();
  Xapian::QueryParser parser;
  parser.set_stemmer(StemFor(lang));
  parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  parser.set_default_op(Xapian::Query::OP_OR);
  Xapian::Query query;
  try {
    query = parser.parse_query(text, 0);
  } catch (const Xapian::Error&) {
    query = Xapian::Query();
  }
  if (with_cpv && !codes.empty()) {
    std::vector<Xapian::Query> terms;
    for (const std::string& c : codes) {
      absl::StatusOr<CpvCode> code = CpvTaxonomy::Builtin().Parse(c);
      if (code.ok()) terms.emplace_back("Q" + code->ToString());
    }
    query = Xapian::Query(
        Xapian::Query::OP_OR, query,
        Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
  }
  Xapian::Enquire enquire(state_->db);
  enquire.set_query(query);
  enquire.set_weighting_scheme(Xapian::BM25Weight());
  std::vector<std::string> ids;
  Xapian::MSet mset = enquire.get_mset(0, k);
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    ids.push_back(it.get_document().get_data());
  }
  return ids;
}

}  // namespace procmatch
