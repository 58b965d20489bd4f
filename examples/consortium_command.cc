// procmatch consortium: eligible, complementary partners for each call of
// --call FILE (calls made of work packages, such as EDF calls), or, with
// --with ID, the best partners for that company.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "examples/cli_common.h"
#include "examples/commands.h"
#include "examples/render.h"
#include "procmatch/consortium.h"
#include "procmatch/record_io.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace cli {
namespace {

std::string RoleName(v1::ConsortiumRole role) {
  switch (role) {
    case v1::CONSORTIUM_ROLE_COORDINATOR:
      return "coordinator";
    case v1::CONSORTIUM_ROLE_BENEFICIARY:
      return "beneficiary";
    case v1::CONSORTIUM_ROLE_AFFILIATED_ENTITY:
      return "affiliated";
    case v1::CONSORTIUM_ROLE_SUBCONTRACTOR:
      return "subcontractor";
    default:
      return "-";
  }
}

std::string TypeName(v1::EntityType type) {
  switch (type) {
    case v1::ENTITY_TYPE_LARGE_ENTERPRISE:
      return "large";
    case v1::ENTITY_TYPE_MID_CAP:
      return "mid-cap";
    case v1::ENTITY_TYPE_SME:
      return "SME";
    case v1::ENTITY_TYPE_MICRO_ENTERPRISE:
      return "micro";
    case v1::ENTITY_TYPE_RESEARCH_ORGANISATION:
      return "research";
    case v1::ENTITY_TYPE_UNIVERSITY:
      return "university";
    case v1::ENTITY_TYPE_PUBLIC_BODY:
      return "public";
    default:
      return "-";
  }
}

void PrintProposals(const v1::Call& call, const v1::ConsortiumResponse& r,
                    std::ostream& out) {
  out << call.id() << "  " << call.title() << "\n";
  out << "  " << call.work_packages_size() << " work packages; eligible "
      << "candidates per package: "
      << absl::StrJoin(r.candidates_per_work_package(), ", ") << "\n";
  if (r.proposals_size() == 0) {
    out << "  " << r.no_proposal_reason() << "\n\n";
    return;
  }
  for (const v1::ConsortiumProposal& p : r.proposals()) {
    out << absl::StrFormat(
        "\n  #%d  score %.3f (packages %.3f + preferences %.3f), %d members, "
        "%d countries\n",
        p.rank(), p.score(), p.work_package_score(), p.preference_bonus(),
        p.members_size(), p.distinct_countries());
    out << "    " << Cell("role", 12) << Cell("member", 34) << Cell("ctry", 5)
        << Cell("type", 11) << "work packages (match score)\n";
    for (const v1::ConsortiumMember& m : p.members()) {
      std::vector<std::string> packages;
      for (const v1::WorkPackageAssignment& a : m.work_packages()) {
        packages.push_back(
            absl::StrFormat("%s %.3f", a.work_package_id(), a.match().score()));
      }
      std::string flags;
      if (m.required()) flags += " [required]";
      if (m.eligible_through_guarantees()) flags += " [guarantees]";
      out << "    " << Cell(RoleName(m.role()), 12)
          << Cell(m.supplier_name(), 34) << Cell(m.country(), 5)
          << Cell(TypeName(m.entity_type()), 11)
          << (packages.empty() ? "-" : absl::StrJoin(packages, ", ")) << flags
          << "\n";
    }
    const v1::FundingRateIncrease& f = p.funding_rate_increase();
    if (f.applies()) {
      out << absl::StrFormat(
          "    funding rate +%.1f points (art. 13(3)): SMEs +%.1f (%d in "
          "the non-SME members' countries, %d cross-border), mid-caps "
          "+%.0f, PESCO +%.0f; in the score %.3f\n",
          f.points(), f.sme_points(), f.domestic_smes(), f.cross_border_smes(),
          f.mid_cap_points(), f.pesco_points(), f.score());
    }
    for (const v1::RuleOutcome& o : p.rules()) {
      out << "    " << (o.met() ? "ok  " : "FAIL") << " " << o.rule() << ": "
          << o.reason() << "\n";
    }
    for (const v1::LeftOutCandidate& l : p.left_out()) {
      out << absl::StrFormat("    left out: %s (%s %.3f): %s\n",
                             l.supplier_name(), l.work_package_id(), l.score(),
                             l.reason());
    }
  }
  out << "\n";
}

}  // namespace

int RunConsortium(const Args& args) {
  if (!args.Has("call")) {
    std::cerr << "procmatch consortium: needs --call FILE\n";
    return 2;
  }
  const std::string output = args.Get("output", isatty(1) ? "table" : "jsonl");
  if (output != "table" && output != "jsonl") {
    return Fail(absl::InvalidArgumentError("--output must be table or jsonl"));
  }
  int top = 5;
  if (args.Has("top") &&
      (!absl::SimpleAtoi(args.Get("top", ""), &top) || top < 1 || top > 100)) {
    return Fail(absl::InvalidArgumentError("--top must be 1-100"));
  }
  int candidates = 0;
  if (args.Has("candidates") &&
      (!absl::SimpleAtoi(args.Get("candidates", ""), &candidates) ||
       candidates < 1 || candidates > 200)) {
    return Fail(absl::InvalidArgumentError("--candidates must be 1-200"));
  }
  Problems problems(args.Has("skip-invalid"));
  auto index = OpenIndex(args, &problems);
  if (!index.ok()) return Fail(index.status());
  std::vector<std::string> with;
  if (args.lists.count("with")) with = args.lists.at("with");
  // Each call is checked as the request it becomes, so that a problem is
  // reported with its file and record number.
  auto request_for = [&](const v1::Call& call) {
    v1::ConsortiumRequest r;
    r.set_request_id(call.id());
    *r.mutable_call() = call;
    r.set_max_proposals(top);
    r.set_candidates_per_work_package(candidates);
    for (const std::string& id : with) r.add_required_supplier_ids(id);
    return r;
  };
  Validator validator((*index)->options());
  std::vector<v1::Call> calls = ReadAll<v1::Call>(
      args, {args.Get("call", "")},
      [&](const v1::Call& c) {
        return validator.CheckConsortiumRequest(request_for(c));
      },
      &problems);
  if (!problems.MayProceed()) return Fail(problems.StopReason("call records"));
  problems.Summarise("records");
  if ((*index)->size() == 0)
    return NothingLeft(problems, "no suppliers to propose");
  if (calls.empty())
    return NothingLeft(problems, "no call records to propose for");
  ConsortiumBuilder builder(*index);
  int failed = 0;
  for (const v1::Call& call : calls) {
    absl::StatusOr<v1::ConsortiumResponse> r =
        builder.Propose(request_for(call));
    if (!r.ok()) {
      std::cerr << "call \"" << call.id() << "\": " << r.status().message()
                << "\n";
      ++failed;
      continue;
    }
    if (output == "table") {
      PrintProposals(call, *r, std::cout);
    } else {
      std::string line;
      AppendRecord(*r, RecordFormat::kJsonLines, &line).IgnoreError();
      std::cout << line;
    }
  }
  return failed == 0 && problems.count() == 0 ? 0 : 1;
}

}  // namespace cli
}  // namespace procmatch
