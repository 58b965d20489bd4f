// Fuzzes procmatch::LoadSnapshot past its checksums: the harness rewrites
// the header's and every section's CRC-32 (formats 2 and 3, doc/snapshot.md)
// to match the bytes they cover, so that mutated sections reach the
// structural checks (section table, item ends, header counts, vocabulary
// order, term ids, stored concepts, profiles, stored term postings) instead
// of stopping at "checksum mismatch". The magic number and format version are
// left to the fuzzer; the seeds carry valid ones.
//
// A snapshot that loads must save and load again: whatever LoadSnapshot
// accepts is an index the rest of the library can use. And each doc of it
// must read back what it was restored from (the twins of
// tests/doc_readback.h, an abort() on a difference): its coded contracts
// the past contracts of its stored profile, field for field, and its coded
// term list, from the stored terms, the frequency of each term it lists (and
// 0 beside them) when asked by id. Its term postings, read as matching reads
// them, hold what the structural checks promise: docs ascending below the
// index's size, frequencies above 0, as many as each list says. Format 3
// does not check that the stored postings agree with the suppliers' terms
// (doc/snapshot.md), and promises that such a file still cannot crash
// matching: so a tender whose title and description are the vocabulary's
// first terms (those that are valid UTF-8 and short: a snapshot's terms need
// not be, a tender's text must) is matched against every loaded index
// (Match, and Explain of its first supplier), which reads the postings of
// those terms, their bounds and the docs they name. It must answer, whatever
// it answers; a refusal of the tender (InvalidArgument) ends the execution.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/snapshot_layout.h"
#include "procmatch/matcher.h"
#include "procmatch/snapshot.h"
#include "procmatch/supplier_index.h"
#include "procmatch/utf8.h"
#include "procmatch/v1/match.pb.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "tests/doc_readback.h"
#include "tests/fuzz/harness.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& difference) {
  std::fprintf(stderr, "snapshot fuzzer: %s: %s\n", what, difference.c_str());
  std::abort();
}

// The terms of the tender matched against a loaded index, and their
// longest.
inline constexpr size_t kTenderTerms = 24;
inline constexpr size_t kTenderTermBytes = 64;

// Whether a status refuses the tender rather than failing to answer.
bool AnswersOrRefuses(const absl::Status& status) {
  return status.ok() || absl::IsInvalidArgument(status);
}

// Matches a tender made of `index`'s first terms; aborts when Match or
// Explain does not answer.
void MatchVocabulary(std::shared_ptr<const procmatch::SupplierIndex> index) {
  std::vector<absl::string_view> words;
  for (absl::string_view term :
       procmatch::internal::IndexAccess::Data(*index).Vocabulary()) {
    if (words.size() == kTenderTerms) break;
    if (term.size() <= kTenderTermBytes && procmatch::IsValidUtf8(term)) {
      words.push_back(term);
    }
  }
  const std::string text = absl::StrJoin(words, " ");
  procmatch::v1::MatchRequest request;
  procmatch::v1::Tender& tender = *request.mutable_tender();
  tender.set_id("fuzz-tender");
  tender.set_title(text.empty() ? "tender" : text);
  tender.set_description(text);
  tender.set_main_cpv("35613000-4");
  request.mutable_options()->set_top_k(10);
  const procmatch::Matcher matcher(index);
  const absl::StatusOr<procmatch::v1::MatchResponse> matched =
      matcher.Match(request);
  if (!AnswersOrRefuses(matched.status())) {
    Fail("Match did not answer", matched.status().ToString());
  }
  if (!matched.ok() || index->size() == 0) return;
  const std::string first(
      procmatch::internal::IndexAccess::Data(*index).doc(0).parts.id());
  const absl::StatusOr<procmatch::v1::MatchResponse> explained =
      matcher.Explain(request, first);
  if (!AnswersOrRefuses(explained.status())) {
    Fail("Explain did not answer", explained.status().ToString());
  }
}

// Loads `bytes` as a snapshot, its checksums resealed, and checks what
// loads.
void FuzzSnapshot(std::string bytes) {
  procmatch::internal::ResealSnapshot(&bytes);
  absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> index =
      procmatch::LoadSnapshot(bytes);
  if (!index.ok()) return;
  const procmatch::internal::IndexData& restored =
      procmatch::internal::IndexAccess::Data(**index);
  for (int d = 0; d < static_cast<int>((*index)->size()); ++d) {
    const procmatch::internal::SupplierDoc& doc = restored.doc(d);
    std::string difference =
        procmatch::testing::ContractsDifference(doc.Profile(), doc.contracts);
    if (!difference.empty()) {
      Fail("a contract reads back otherwise", difference);
    }
    difference = procmatch::testing::TermListDifference(doc.terms);
    if (!difference.empty()) {
      Fail("a term list reads back otherwise", difference);
    }
  }
  const size_t terms = restored.Vocabulary().size();
  for (uint32_t t = 0; t < terms; ++t) {
    const procmatch::internal::TermPostingList list = restored.TermPostings(t);
    size_t count = 0;
    int64_t previous = -1;
    for (const auto& [doc, frequency] : list) {
      if (static_cast<int64_t>(doc) <= previous ||
          doc >= static_cast<uint32_t>((*index)->size()) || frequency == 0) {
        Fail("a term posting is out of range",
             "term " + std::to_string(t) + ", doc " + std::to_string(doc));
      }
      previous = doc;
      ++count;
    }
    if (count != list.size()) {
      Fail("a term's postings are not as many as it says",
           "term " + std::to_string(t));
    }
  }
  // Format 4's stored CPV postings: docs ascending and in range.
  for (const auto* lists :
       {&restored.AllCpvPostings(), &restored.AllOfferedCpvPostings()}) {
    for (const auto& [code, docs] : *lists) {
      for (size_t i = 0; i < docs.size(); ++i) {
        if ((i > 0 && docs[i] <= docs[i - 1]) ||
            docs[i] >= static_cast<uint32_t>((*index)->size())) {
          Fail("a CPV posting is out of range",
               code.ToString() + ", doc " + std::to_string(docs[i]));
        }
      }
    }
  }
  const std::string saved = procmatch::SaveSnapshot(**index);
  absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> reloaded =
      procmatch::LoadSnapshot(saved);
  if (!reloaded.ok() || (*reloaded)->size() != (*index)->size()) std::abort();
  MatchVocabulary(*std::move(index));
}

}  // namespace

// What loading and matching build on first use (validation's code tables,
// the text analysis, the CPV concepts) is built before the first input,
// outside libFuzzer's per-input timeout: charged to the first seed, it took
// 2.5 s, and 11 s niced beside a build, past -report_slow_units (session
// 21). An index of one supplier, saved, goes the whole way through the
// target.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  procmatch::v1::SupplierProfile profile;
  profile.set_id("BE-0410472920");
  profile.set_name("Kempen Avionics NV");
  profile.set_country("BE");
  profile.add_cpv_codes("35613000");
  profile.set_description("Drone manufacturer from the Kempen");
  profile.set_description_language("en");
  procmatch::v1::PastContract& contract = *profile.add_past_contracts();
  contract.set_buyer_name("Defensie");
  contract.set_buyer_country("BE");
  contract.set_title("Levering van mini-UAV systemen");
  contract.set_language("nl");
  procmatch::SupplierIndex::Builder builder;
  const absl::Status added = builder.Add(std::move(profile));
  if (!added.ok()) Fail("the warm-up supplier is refused", added.ToString());
  absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> index =
      std::move(builder).Build();
  if (!index.ok()) Fail("no warm-up index", index.status().ToString());
  FuzzSnapshot(procmatch::SaveSnapshot(**index));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > procmatch::fuzz::kMaxInputBytes) return 0;
  FuzzSnapshot(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
