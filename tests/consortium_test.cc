#include "procmatch/consortium.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "procmatch/internal/consortium_search.h"
#include "procmatch/record_io.h"

namespace procmatch {
namespace {

using internal::SearchProblem;
using internal::SearchProposal;
using ::testing::HasSubstr;

// Random search problems small enough for the brute force: 1-4 packages,
// 1-6 candidates each out of 3-9 members, scores on a 0.05 grid so that
// ties are common, shared control groups, and random rules.
SearchProblem RandomProblem(std::mt19937* rng) {
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(*rng);
  };
  SearchProblem p;
  const int members = pick(3, 9);
  std::vector<int> ranks(members);
  for (int i = 0; i < members; ++i) ranks[i] = i * 3;
  std::shuffle(ranks.begin(), ranks.end(), *rng);
  for (int i = 0; i < members; ++i) {
    internal::SearchMember m;
    m.id_rank = ranks[i];
    m.country = pick(0, 3);
    m.group = pick(0, members - 1);
    m.sme = pick(0, 1);
    m.national = m.country == 0;
    p.members.push_back(m);
  }
  const int packages = pick(1, 4);
  for (int w = 0; w < packages; ++w) {
    std::vector<int> pool(members);
    for (int i = 0; i < members; ++i) pool[i] = i;
    std::shuffle(pool.begin(), pool.end(), *rng);
    auto& list = p.packages.emplace_back();
    for (int i = 0, n = pick(1, std::min(6, members)); i < n; ++i) {
      list.emplace_back(pool[i], pick(1, 20) * 0.05);
    }
    std::sort(list.begin(), list.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      return p.members[a.first].id_rank < p.members[b.first].id_rank;
    });
  }
  if (pick(0, 3) == 0) p.required.push_back(pick(0, members - 1));
  internal::SearchRules& r = p.rules;
  r.min_members = pick(0, 4);
  r.max_members = pick(0, 1) ? 0 : pick(2, 5);
  r.min_countries = pick(0, 3);
  r.min_independent = pick(0, 3);
  r.min_independent_countries = pick(0, std::min(2, r.min_independent));
  r.sme_weight = pick(0, 4) * 0.05;
  r.national_weight = pick(0, 4) * 0.05;
  return p;
}

TEST(ConsortiumSearchTest, BranchAndBoundEqualsBruteForce) {
  std::mt19937 rng(20261129);
  int with_proposals = 0, without = 0, pruned = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const SearchProblem p = RandomProblem(&rng);
    const int n = 1 + trial % 6;
    int64_t nodes = 0;
    const std::vector<SearchProposal> fast =
        internal::SearchProposals(p, n, &nodes);
    const std::vector<SearchProposal> slow = internal::EnumerateProposals(p, n);
    ASSERT_EQ(fast.size(), slow.size()) << "trial " << trial;
    for (size_t i = 0; i < fast.size(); ++i) {
      EXPECT_EQ(fast[i].members, slow[i].members) << "trial " << trial;
      EXPECT_EQ(fast[i].assignment, slow[i].assignment) << "trial " << trial;
      EXPECT_EQ(fast[i].score, slow[i].score) << "trial " << trial;
    }
    (fast.empty() ? without : with_proposals)++;
    int64_t leaves = 1;
    for (const auto& c : p.packages) leaves *= c.size();
    if (nodes < leaves) ++pruned;
  }
  // Both outcomes and real pruning occur, so the comparison means something.
  EXPECT_GT(with_proposals, 500);
  EXPECT_GT(without, 200);
  EXPECT_GT(pruned, 500);
}

TEST(ConsortiumSearchTest, IndependenceCountsControlGroupsAcrossCountries) {
  SearchProblem p;
  // Two subsidiaries of one group in NL (country 0) and FR (1), one
  // independent in DE (2).
  p.members = {{0, 0, 0, false, false},
               {1, 1, 0, false, false},
               {2, 2, 1, false, false}};
  p.rules.min_independent = 3;
  p.rules.min_independent_countries = 2;
  EXPECT_EQ(internal::FirstUnmetRule(p, {0, 1, 2}), "independence");
  p.members[1].group = 2;
  EXPECT_EQ(internal::FirstUnmetRule(p, {0, 1, 2}), "");
  // Three groups, all in one country: fails the two-country part.
  for (auto& m : p.members) m.country = 0;
  EXPECT_EQ(internal::FirstUnmetRule(p, {0, 1, 2}), "independence");
}

// A partner profile for the builder tests: established, not controlled
// from a third country, offering `cpv` with a text that says so.
v1::SupplierProfile Partner(const std::string& id, const std::string& name,
                            const std::string& country, const std::string& cpv,
                            const std::string& text, v1::EntityType type) {
  v1::SupplierProfile s;
  s.set_id(id);
  s.set_name(name);
  s.set_country(country);
  s.set_executive_management_country(country);
  s.set_third_country_control(v1::THIRD_COUNTRY_CONTROL_NOT_CONTROLLED);
  s.set_entity_type(type);
  s.add_cpv_codes(cpv);
  s.set_description(text);
  s.set_description_language("en");
  v1::Capability* c = s.add_capabilities();
  c->set_description(text);
  c->set_language("en");
  c->add_cpv_codes(cpv);
  c->set_technology_readiness(6);
  return s;
}

std::shared_ptr<const SupplierIndex> Index(
    const std::vector<v1::SupplierProfile>& profiles) {
  SupplierIndex::Builder builder;
  for (const auto& p : profiles) EXPECT_TRUE(builder.Add(p).ok()) << p.id();
  return *std::move(builder).Build();
}

// Counter-drone call: detection radar, jamming, command and control.
v1::ConsortiumRequest CounterDroneRequest() {
  v1::ConsortiumRequest r;
  r.set_request_id("EDF-2026-C-UAS");
  v1::Call* call = r.mutable_call();
  call->set_id("EDF-2026-C-UAS");
  call->set_title("Counter-drone systems");
  call->set_language("en");
  call->mutable_rules()->set_action_type(v1::ACTION_TYPE_DEVELOPMENT);
  call->mutable_rules()->set_max_members(5);
  const char* packages[][3] = {
      {"WP1", "Drone detection radar", "35720000"},
      {"WP2", "Radio frequency jamming of drones", "32000000"},
      {"WP3", "Command and control software", "48000000"}};
  for (const auto& [id, title, cpv] : packages) {
    v1::WorkPackage* wp = call->add_work_packages();
    wp->set_id(id);
    wp->set_title(title);
    wp->set_description(title);
    wp->add_cpv_codes(cpv);
  }
  return r;
}

std::vector<v1::SupplierProfile> CounterDronePartners() {
  auto s = [](auto... a) { return Partner(a...); };
  std::vector<v1::SupplierProfile> out = {
      s("NL-RADAR", "Delft Radar Systems BV", "NL", "35720000",
        "Drone detection radar and surveillance radar", v1::ENTITY_TYPE_SME),
      s("NL-RADAR-2", "Delft Radar Services BV", "NL", "35720000",
        "Drone detection radar maintenance", v1::ENTITY_TYPE_SME),
      s("FR-JAM", "Brouilleurs de Bretagne SAS", "FR", "32000000",
        "Radio frequency jamming of drones", v1::ENTITY_TYPE_MID_CAP),
      s("DE-C2", "Kommandosoft GmbH", "DE", "48000000",
        "Command and control software for air defence",
        v1::ENTITY_TYPE_LARGE_ENTERPRISE),
      s("US-RADAR", "Atlantic Radar Inc Europe BV", "NL", "35720000",
        "Drone detection radar", v1::ENTITY_TYPE_LARGE_ENTERPRISE)};
  // The two Delft companies share a parent; the Atlantic one is controlled
  // from a third country without guarantees.
  out[0].mutable_ownership()->set_parent_id("NL-DELFT-HOLDING");
  out[1].mutable_ownership()->set_parent_id("NL-DELFT-HOLDING");
  out[4].set_third_country_control(v1::THIRD_COUNTRY_CONTROL_CONTROLLED);
  return out;
}

TEST(ConsortiumBuilderTest, ProposesEligibleIndependentPartners) {
  ConsortiumBuilder builder(Index(CounterDronePartners()));
  absl::StatusOr<v1::ConsortiumResponse> r =
      builder.Propose(CounterDroneRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->proposals_size(), 1) << r->no_proposal_reason();
  const v1::ConsortiumProposal& best = r->proposals(0);
  EXPECT_EQ(best.distinct_countries(), 3);
  std::set<std::string> ids;
  for (const auto& m : best.members()) {
    ids.insert(m.supplier_id());
    for (const auto& wp : m.work_packages()) {
      EXPECT_EQ(wp.match().supplier_id(), m.supplier_id());
      EXPECT_GT(wp.match().score(), 0);
    }
  }
  EXPECT_FALSE(ids.count("US-RADAR"));
  EXPECT_TRUE(ids.count("FR-JAM"));
  EXPECT_TRUE(ids.count("DE-C2"));
  EXPECT_EQ(best.members(0).role(), v1::CONSORTIUM_ROLE_COORDINATOR);
  for (const auto& rule : best.rules()) EXPECT_TRUE(rule.met()) << rule.rule();
  bool independence = false;
  for (const auto& rule : best.rules()) {
    independence |= rule.rule() == "independence";
  }
  EXPECT_TRUE(independence);
  // The eligible partners with some evidence for the radar package (the
  // radar firms and, by text, the drone jammer) are candidates; the C2
  // software house has none (zero is not a match), and the one controlled
  // from a third country is not eligible.
  EXPECT_EQ(r->candidates_per_work_package(0), 3);
}

TEST(ConsortiumBuilderTest, PartnersForMeIncludeTheCompanyAsCoordinator) {
  ConsortiumBuilder builder(Index(CounterDronePartners()));
  v1::ConsortiumRequest request = CounterDroneRequest();
  request.add_required_supplier_ids("NL-RADAR-2");
  absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->proposals_size(), 1) << r->no_proposal_reason();
  for (const auto& p : r->proposals()) {
    EXPECT_EQ(p.members(0).supplier_id(), "NL-RADAR-2");
    EXPECT_TRUE(p.members(0).required());
    // Its sister company shares its control group: at most one of them
    // counts, so DE and FR must both be in.
    EXPECT_EQ(p.distinct_countries(), 3);
  }
}

TEST(ConsortiumBuilderTest, NoConsortiumNamesTheBindingRule) {
  std::vector<v1::SupplierProfile> partners = CounterDronePartners();
  partners[3].set_country("NL");  // The C2 maker moves to the Netherlands.
  partners[3].set_executive_management_country("NL");
  ConsortiumBuilder builder(Index(partners));
  absl::StatusOr<v1::ConsortiumResponse> r =
      builder.Propose(CounterDroneRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->proposals_size(), 0);
  EXPECT_THAT(r->no_proposal_reason(),
              HasSubstr("no eligible consortium: the candidates of the work "
                        "packages come from only 2 eligible countries (FR, "
                        "NL); the call needs 3"));
  ASSERT_GE(r->binding_rules_size(), 1);
  EXPECT_EQ(r->binding_rules(0).rule(), "min_distinct_countries");
}

TEST(ConsortiumBuilderTest, IneligibleOrUnknownRequiredMember) {
  ConsortiumBuilder builder(Index(CounterDronePartners()));
  v1::ConsortiumRequest request = CounterDroneRequest();
  request.add_required_supplier_ids("US-RADAR");
  absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->proposals_size(), 0);
  EXPECT_THAT(r->no_proposal_reason(),
              HasSubstr("required member Atlantic Radar Inc Europe BV "
                        "(US-RADAR) is not eligible: controlled from a "
                        "non-associated third country"));
  request.set_required_supplier_ids(0, "BE-0000000097");
  EXPECT_EQ(builder.Propose(request).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ConsortiumBuilderTest, InvalidRequestIsRefused) {
  ConsortiumBuilder builder(Index(CounterDronePartners()));
  v1::ConsortiumRequest request = CounterDroneRequest();
  request.mutable_call()->mutable_rules()->set_max_members(2);
  absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("call.rules.min_members: 3 is more than max_members "
                        "2"));
}

template <typename M>
std::vector<M> ReadSample(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFileOrStdin(path);
  EXPECT_TRUE(content.ok()) << content.status();
  std::vector<M> out;
  ReadRecords<M>(
      path, content.value_or(""), RecordFormat::kJsonLines,
      [&](int, M m) { out.push_back(std::move(m)); },
      [](absl::Status s) { ADD_FAILURE() << s; })
      .IgnoreError();
  return out;
}

// The bundled EDF-style call (data/sample/edf_call.jsonl) and its fictional
// partners: an eligible consortium exists, covers all six packages, leaves
// out the entities that are not eligible, and flags the one eligible
// through guarantees when it is chosen.
TEST(ConsortiumBuilderTest, BundledCallYieldsAnEligibleProposal) {
  const auto partners =
      ReadSample<v1::SupplierProfile>("data/sample/partners.jsonl");
  const auto calls = ReadSample<v1::Call>("data/sample/edf_call.jsonl");
  ASSERT_EQ(partners.size(), 22u);
  ASSERT_EQ(calls.size(), 1u);
  ConsortiumBuilder builder(Index(partners));
  v1::ConsortiumRequest request;
  request.set_request_id("sample");
  *request.mutable_call() = calls[0];
  absl::StatusOr<v1::ConsortiumResponse> r = builder.Propose(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->proposals_size(), 5) << r->no_proposal_reason();
  for (const v1::ConsortiumProposal& p : r->proposals()) {
    int packages = 0;
    for (const auto& m : p.members()) {
      packages += m.work_packages_size();
      EXPECT_NE(m.country(), "US");
      EXPECT_NE(m.country(), "GB");
      EXPECT_NE(m.supplier_id(), "NL-ORION-OPTICS");
      if (m.supplier_id() == "DE-FALKE-DROHNEN") {
        EXPECT_TRUE(m.eligible_through_guarantees());
      }
    }
    EXPECT_EQ(packages, 6);
    EXPECT_GE(p.distinct_countries(), 3);
    for (const auto& rule : p.rules()) EXPECT_TRUE(rule.met()) << rule.rule();
  }
  for (int i = 1; i < r->proposals_size(); ++i) {
    EXPECT_LE(r->proposals(i).score(), r->proposals(i - 1).score());
  }

  // Partners for the Norwegian radar maker: it keeps the radar package.
  request.add_required_supplier_ids("NO-FJORD-RADAR");
  r = builder.Propose(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->proposals_size(), 1) << r->no_proposal_reason();
  const v1::ConsortiumMember& coordinator = r->proposals(0).members(0);
  EXPECT_EQ(coordinator.supplier_id(), "NO-FJORD-RADAR");
  ASSERT_EQ(coordinator.work_packages_size(), 1);
  EXPECT_EQ(coordinator.work_packages(0).work_package_id(), "WP1");
}

}  // namespace
}  // namespace procmatch
