#include "procmatch/matcher.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "procmatch/internal/components.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/query.h"
#include "procmatch/internal/requirements.h"
#include "procmatch/internal/retrieval.h"

namespace procmatch {
namespace {

using internal::ComponentAt;
using internal::IndexData;
using internal::kComponentCount;
using internal::Query;
using internal::Ranked;
using internal::SupplierDoc;

// A response for `request` with its header filled.
v1::MatchResponse NewResponse(const v1::MatchRequest& request,
                              const IndexData& index) {
  v1::MatchResponse response;
  response.set_request_id(request.request_id());
  response.set_tender_id(request.tender().id());
  response.set_lot_id(request.lot_id());
  response.set_index_generation(index.generation());
  response.mutable_counters()->set_suppliers_considered(index.size());
  return response;
}

void AddExclusion(const SupplierDoc& d,
                  std::vector<v1::RequirementOutcome> reasons,
                  v1::MatchResponse* response) {
  v1::Exclusion* e = response->add_excluded();
  e->set_supplier_id(std::string(d.parts.id()));
  e->set_supplier_name(std::string(d.parts.name()));
  for (auto& r : reasons) *e->add_reasons() = std::move(r);
}

// An eligible supplier explained: every weighted component with its value
// and detail, every requirement with its outcome.
v1::SupplierMatch Describe(const Query& q, const IndexData& index, uint32_t doc,
                           double score) {
  const SupplierDoc& d = index.doc(doc);
  v1::SupplierMatch m;
  m.set_supplier_id(std::string(d.parts.id()));
  m.set_supplier_name(std::string(d.parts.name()));
  m.set_score(score);
  for (int i = 0; i < kComponentCount; ++i) {
    if (q.weight[i] == 0) continue;
    internal::Explanation why;
    const double value = ComponentAt(i).value(q, index, d, &why);
    v1::ScoreComponent* c = m.add_components();
    c->set_kind(ComponentAt(i).kind);
    c->set_value(value);
    c->set_weight(q.weight[i]);
    c->set_contribution(q.weight[i] * value);
    c->set_detail(std::move(why.detail));
  }
  std::vector<v1::RequirementOutcome> outcomes;
  for (const internal::PreparedRequirement& p : q.requirements) {
    internal::AppendOutcome(*p.rule, internal::EvaluateRequirement(p, d, q),
                            &outcomes);
  }
  for (auto& o : outcomes) *m.add_requirements() = std::move(o);
  return m;
}

// The response of Match() and MatchExhaustive() from what retrieval found.
v1::MatchResponse Respond(const v1::MatchRequest& request, const Query& q,
                          const IndexData& index, internal::Retrieved found) {
  v1::MatchResponse response = NewResponse(request, index);
  std::sort(found.top.begin(), found.top.end(), internal::Better);
  for (size_t i = 0; i < found.top.size(); ++i) {
    v1::SupplierMatch m =
        Describe(q, index, found.top[i].doc, found.top[i].score);
    m.set_rank(static_cast<int>(i) + 1);
    *response.add_matches() = std::move(m);
  }
  v1::MatchCounters* counters = response.mutable_counters();
  counters->set_candidates(found.candidates);
  counters->set_scored(found.scored);
  counters->set_excluded(found.excluded);
  if (q.include_excluded) {
    // Listing exclusions evaluates everyone: the count is then complete.
    int64_t excluded = 0;
    for (int doc = 0; doc < index.size(); ++doc) {
      std::vector<v1::RequirementOutcome> reasons;
      if (internal::Eligible(q, index.doc(doc), &reasons)) continue;
      ++excluded;
      if (response.excluded_size() < q.max_excluded) {
        AddExclusion(index.doc(doc), std::move(reasons), &response);
      }
    }
    counters->set_excluded(excluded);
  }
  return response;
}

// Match() and MatchExhaustive() differ only in how they retrieve.
absl::StatusOr<v1::MatchResponse> MatchWith(
    const v1::MatchRequest& request, const Validator& validator,
    const SupplierIndex& supplier_index,
    internal::Retrieved (*retrieve)(const Query&, const IndexData&)) {
  const IndexData& index = internal::IndexAccess::Data(supplier_index);
  absl::StatusOr<std::unique_ptr<Query>> q =
      internal::PrepareQuery(request, index, validator);
  if (!q.ok()) return q.status();
  return Respond(request, **q, index, retrieve(**q, index));
}

}  // namespace

double DefaultWeight(v1::ScoreComponentKind kind) {
  for (int i = 0; i < kComponentCount; ++i) {
    if (ComponentAt(i).kind == kind) return ComponentAt(i).default_weight;
  }
  return 0;
}

Matcher::Matcher(std::shared_ptr<const SupplierIndex> index)
    : index_(std::move(index)), validator_(index_->options()) {}

absl::StatusOr<v1::MatchResponse> Matcher::Match(
    const v1::MatchRequest& request) const {
  return MatchWith(request, validator_, *index_, internal::RetrieveTopK);
}

absl::StatusOr<v1::MatchResponse> Matcher::MatchExhaustive(
    const v1::MatchRequest& request) const {
  return MatchWith(request, validator_, *index_, internal::ScoreEveryone);
}

absl::StatusOr<v1::MatchResponse> Matcher::Explain(
    const v1::MatchRequest& request, absl::string_view supplier_id) const {
  const IndexData& index = internal::IndexAccess::Data(*index_);
  const int doc = index.FindDoc(supplier_id);
  if (doc < 0) {
    return absl::NotFoundError(
        absl::StrCat("no supplier \"", supplier_id, "\" in the index"));
  }
  absl::StatusOr<std::unique_ptr<Query>> prepared =
      internal::PrepareQuery(request, index, validator_);
  if (!prepared.ok()) return prepared.status();
  const Query& q = **prepared;
  v1::MatchResponse response = NewResponse(request, index);
  std::vector<v1::RequirementOutcome> reasons;
  const SupplierDoc& d = index.doc(doc);
  if (internal::Eligible(q, d, &reasons)) {
    double value[kComponentCount];
    const Ranked target{internal::Score(q, index, d, value),
                        static_cast<uint32_t>(doc), internal::TieKey(d)};
    v1::SupplierMatch m = Describe(q, index, target.doc, target.score);
    const int64_t rank = internal::RankOf(q, index, target);
    m.set_rank(static_cast<int>(std::min<int64_t>(rank, INT32_MAX)));
    *response.add_matches() = std::move(m);
  } else {
    AddExclusion(d, std::move(reasons), &response);
  }
  return response;
}

std::vector<absl::StatusOr<v1::MatchResponse>> Matcher::MatchBatch(
    const std::vector<v1::MatchRequest>& requests, int threads) const {
  std::vector<absl::StatusOr<v1::MatchResponse>> results(
      requests.size(), absl::UnknownError("not matched"));
  if (threads <= 0) {
    threads = std::max(1u, std::thread::hardware_concurrency());
  }
  threads = std::min<int>(threads, std::max<size_t>(1, requests.size()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < requests.size(); i = next++) {
      results[i] = Match(requests[i]);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return results;
}

}  // namespace procmatch
