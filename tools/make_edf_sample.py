#!/usr/bin/env python3
"""Writes data/sample/edf_call.jsonl and data/sample/partners.jsonl.

An EDF-style counter-drone call of six work packages with real CPV 2008
codes, and 22 fictional entities across Europe (no Belgian one) to build
consortia from: universities, research centres, SMEs, mid-caps and large
companies; one controlled from the United States with guarantees, two
sharing a parent, and three that are not eligible. Deterministic: the same
script gives the same bytes. See data/sample/README.md.
"""
import json
import os

CALL = {
    "id": "EDF-2026-DA-C-UAS",
    "title": "Layered counter-drone system for the protection of forces and "
             "critical sites",
    "description": "Development action: detect, identify and neutralise small "
                   "unmanned aircraft systems and swarms with radar, passive "
                   "radio-frequency detection, electro-optical and infrared "
                   "sensors, electronic countermeasures, interceptor drones "
                   "and a command and control layer fusing them.",
    "language": "en",
    "buyer": {"name": "European Commission, DG DEFIS", "country": "BE",
              "main_activity": "DEFENCE"},
    "published": {"year": 2026, "month": 6, "day": 15},
    "rules": {
        "action_type": "ACTION_TYPE_DEVELOPMENT",
        "max_members": 8,
    },
    # Regulation (EU) 2021/697 art. 13(3): the funding-rate increase a
    # proposal earns, weighed in the objective (doc/consortium.md).
    "funding_rate": {"weight_per_point": 0.01},
    "work_packages": [
        {"id": "WP1", "title": "Drone detection and tracking radar",
         "description": "Short-range 3D surveillance radar detecting and "
                        "tracking small drones and swarms.",
         "cpv_codes": ["35723000", "38115100"],
         "keywords": ["radar", "c-uas"], "min_technology_readiness": 5},
        {"id": "WP2", "title": "Passive RF detection and electronic "
                               "countermeasures",
         "description": "Detection of drone control links and jamming or "
                        "spoofing of their radio and satellite navigation "
                        "signals.",
         "cpv_codes": ["35730000"],
         "keywords": ["electronic-warfare", "jamming"],
         "min_technology_readiness": 4},
        {"id": "WP3", "title": "Electro-optical and infrared identification",
         "description": "Stabilised day and thermal cameras with automatic "
                        "target recognition of drones.",
         "cpv_codes": ["38636000", "38651000"],
         "keywords": ["optronics", "infrared"]},
        {"id": "WP4", "title": "Command and control and sensor fusion",
         "description": "Command and control software fusing radar, RF and "
                        "optical tracks and assigning effectors.",
         "cpv_codes": ["35711000", "48900000"],
         "keywords": ["c2", "sensor-fusion"]},
        {"id": "WP5", "title": "Interceptor drones",
         "description": "Fast interceptor unmanned aerial vehicles capturing "
                        "or disabling hostile drones.",
         "cpv_codes": ["35613000"],
         "keywords": ["uav", "interceptor"], "min_technology_readiness": 4},
        {"id": "WP6", "title": "Test, evaluation and training",
         "description": "Test campaigns on military ranges, evaluation "
                        "against drone swarms and operator training.",
         "cpv_codes": ["73430000", "80660000"],
         "keywords": ["test-range", "training"]},
    ],
}


def partner(pid, name, country, entity, employees, languages, description,
            caps, control="THIRD_COUNTRY_CONTROL_NOT_CONTROLLED",
            ownership=None, management=None):
    codes = []
    for cap in caps:
        for c in cap[1]:
            if c not in codes:
                codes.append(c)
    p = {
        "id": pid,
        "name": name,
        "country": country,
        "executive_management_country": management or country,
        "third_country_control": control,
        "entity_type": entity,
        "employees": employees,
        "languages": languages,
        "cpv_codes": codes,
        "description": description,
        "description_language": "en",
        "capabilities": [
            {"description": text, "language": "en", "cpv_codes": cpv,
             "tags": tags, "technology_readiness": trl}
            for text, cpv, tags, trl in caps
        ],
    }
    if ownership:
        p["ownership"] = ownership
    return p


NOORDZEE = {"parent_id": "NL-NOORDZEE-DEFENCE-HOLDING",
            "parent_name": "Noordzee Defence Holding NV",
            "ultimate_controller_id": "NL-NOORDZEE-DEFENCE-HOLDING",
            "ultimate_controller_name": "Noordzee Defence Holding NV",
            "ultimate_controller_country": "NL"}

PARTNERS = [
    partner("NL-HAVENRADAR", "Havenradar Systems BV", "NL", "ENTITY_TYPE_SME",
            140, ["nl", "en"],
            "Short-range surveillance radar for drones and harbour security",
            [("3D surveillance radar detecting small drones and swarms",
              ["35723000", "38115100"], ["radar", "c-uas"], 6)],
            ownership=NOORDZEE),
    partner("NL-NOORDZEE-C2", "Noordzee Command Software BV", "NL",
            "ENTITY_TYPE_SME", 60, ["nl", "en"],
            "Command and control software and sensor fusion",
            [("Command and control software fusing radar and optical tracks",
              ["35711000", "48900000"], ["c2", "sensor-fusion"], 6)],
            ownership=NOORDZEE),
    partner("NL-ITDT", "Instituut voor Toegepaste Defensietechniek", "NL",
            "ENTITY_TYPE_RESEARCH_ORGANISATION", 900, ["nl", "en"],
            "Applied defence research: radar, electronic warfare, testing",
            [("Radar signal processing research for drone detection",
              ["73410000", "35723000"], ["radar"], 4),
             ("Test and evaluation of counter-drone systems on ranges",
              ["73430000"], ["test-range"], 7)]),
    partner("FR-ARMOR-EW", "Armor Guerre Electronique SAS", "FR",
            "ENTITY_TYPE_SME", 120, ["fr", "en"],
            "Electronic warfare: passive RF detection and jamming of drones",
            [("Passive detection of drone control links and RF jamming",
              ["35730000"], ["electronic-warfare", "jamming"], 6)]),
    partner("FR-GARONNE-OPTRONIQUE", "Garonne Optronique SA", "FR",
            "ENTITY_TYPE_MID_CAP", 1400, ["fr", "en"],
            "Optronics: stabilised day and thermal cameras",
            [("Stabilised day and infrared cameras with automatic target "
              "recognition", ["38636000", "38651000"],
              ["optronics", "infrared"], 7)]),
    partner("FR-ORASO", "Office de Recherche Aérospatiale du Sud-Ouest",
            "FR", "ENTITY_TYPE_RESEARCH_ORGANISATION", 1100, ["fr", "en"],
            "Aerospace research centre: sensors, optronics, autonomy",
            [("Infrared sensor and target recognition research",
              ["73410000", "38636000"], ["optronics", "infrared"], 4)]),
    partner("DE-ISAR-LEITSYSTEME", "Isar Leitsysteme GmbH", "DE",
            "ENTITY_TYPE_LARGE_ENTERPRISE", 4200, ["de", "en"],
            "Air defence command and control systems",
            [("Air defence command and control and sensor fusion software",
              ["35711000", "48900000"], ["c2", "sensor-fusion"], 8)]),
    partner("DE-FALKE-DROHNEN", "Falke Drohnentechnik GmbH", "DE",
            "ENTITY_TYPE_SME", 90, ["de", "en"],
            "Interceptor drones for counter-drone missions",
            [("Fast interceptor unmanned aerial vehicles with capture nets",
              ["35613000"], ["uav", "interceptor"], 6)],
            control="THIRD_COUNTRY_CONTROL_CONTROLLED_WITH_GUARANTEES",
            ownership={"parent_id": "US-SKYHAWK-HOLDINGS",
                       "parent_name": "Skyhawk Holdings Inc.",
                       "ultimate_controller_id": "US-SKYHAWK-HOLDINGS",
                       "ultimate_controller_name": "Skyhawk Holdings Inc.",
                       "ultimate_controller_country": "US",
                       "guarantees_given": True}),
    partner("DE-UNI-NECKARTAL", "Universität Neckartal", "DE",
            "ENTITY_TYPE_UNIVERSITY", 5000, ["de", "en"],
            "University: radar, signal processing and autonomy research",
            [("Research on radar micro-Doppler classification of drones",
              ["73410000", "35723000"], ["radar", "c-uas"], 3)]),
    partner("NO-FJORD-RADAR", "Fjordradar AS", "NO", "ENTITY_TYPE_MID_CAP",
            800, ["no", "en"],
            "Radar for air defence and counter-drone",
            [("Air defence and counter-drone surveillance radar",
              ["35723000", "38115100"], ["radar", "c-uas"], 8)]),
    partner("NO-NTU-TRONDHEIM", "Nordlys Teknisk Universitet", "NO",
            "ENTITY_TYPE_UNIVERSITY", 3000, ["no", "en"],
            "University: autonomy, sensor fusion and test ranges",
            [("Sensor fusion research for counter-drone command and control",
              ["73410000", "48900000"], ["sensor-fusion", "c2"], 4),
             ("Arctic test range for drones and counter-drone systems",
              ["73430000"], ["test-range"], 7)]),
    partner("PL-WISLA-UAV", "Wisła Bezzałogowe Sp. z o.o.", "PL",
            "ENTITY_TYPE_SME", 70, ["pl", "en"],
            "Unmanned aerial vehicles and interceptor drones",
            [("Interceptor drones and loitering unmanned aerial vehicles",
              ["35613000"], ["uav", "interceptor"], 7)]),
    partner("PL-AKADEMIA-OBRONY", "Akademia Techniki Obronnej w Lublinie",
            "PL", "ENTITY_TYPE_UNIVERSITY", 2500, ["pl", "en"],
            "Military technical university: training and electronic warfare",
            [("Training and simulation for military electronic systems "
              "operators", ["80660000"], ["training"], 8),
             ("Electronic warfare research", ["73410000", "35730000"],
              ["electronic-warfare"], 3)]),
    partner("ES-MESETA-VISION", "Meseta Visión Térmica SL", "ES",
            "ENTITY_TYPE_SME", 45, ["es", "en"],
            "Thermal cameras for surveillance",
            [("Thermal infrared cameras for drone identification",
              ["38651000", "38636000"], ["infrared", "optronics"], 6)]),
    partner("IT-LAGUNA-EW", "Laguna Sistemi Elettronici SpA", "IT",
            "ENTITY_TYPE_LARGE_ENTERPRISE", 2600, ["it", "en"],
            "Electronic warfare systems and countermeasures",
            [("Electronic countermeasures and jamming against drones",
              ["35730000"], ["electronic-warfare", "jamming"], 8)]),
    partner("SE-NORRLAND-PROV", "Norrland Provplats AB", "SE",
            "ENTITY_TYPE_SME", 80, ["sv", "en"],
            "Test range services and operator training",
            [("Test and evaluation campaigns against drone swarms",
              ["73430000"], ["test-range"], 8),
             ("Operator training in counter-drone electronic systems",
              ["80660000"], ["training"], 8)]),
    partner("EE-PIIR-CYBER", "Piir Küberkaitse OÜ", "EE",
            "ENTITY_TYPE_MICRO_ENTERPRISE", 8, ["et", "en"],
            "Secure command and control software",
            [("Secure command and control and track fusion software",
              ["48900000", "35711000"], ["c2", "sensor-fusion"], 5)]),
    partner("FI-REVONTULI-RF", "Revontuli RF Oy", "FI",
            "ENTITY_TYPE_MICRO_ENTERPRISE", 12, ["fi", "en"],
            "Passive radio-frequency sensors",
            [("Passive RF detection of drone control links",
              ["35730000"], ["electronic-warfare"], 5)]),
    partner("CZ-MORAVA-OPTIKA", "Morava Optika s.r.o.", "CZ",
            "ENTITY_TYPE_SME", 150, ["cs", "en"],
            "Specialist optics and laser rangefinders",
            [("Specialist optical instruments for target identification",
              ["38636000"], ["optronics"], 7)]),
    # Not eligible: established outside the EU and Norway, or controlled
    # from a third country without guarantees.
    partner("US-SKYHAWK-HOLDINGS", "Skyhawk Holdings Inc.", "US",
            "ENTITY_TYPE_LARGE_ENTERPRISE", 9000, ["en"],
            "Counter-drone systems integrator",
            [("Counter-drone radar and interceptor drones",
              ["35723000", "35613000"], ["radar", "c-uas", "uav"], 9)],
            control="THIRD_COUNTRY_CONTROL_CONTROLLED"),
    partner("GB-THAMES-EW", "Thames Electronic Warfare Ltd", "GB",
            "ENTITY_TYPE_MID_CAP", 700, ["en"],
            "Electronic warfare and jamming",
            [("Drone jamming and electronic countermeasures",
              ["35730000"], ["electronic-warfare", "jamming"], 8)]),
    partner("NL-ORION-OPTICS", "Orion Optics Europe BV", "NL",
            "ENTITY_TYPE_SME", 60, ["nl", "en"],
            "Infrared cameras, owned by a non-associated third-country group",
            [("Infrared cameras for drone identification",
              ["38651000", "38636000"], ["infrared", "optronics"], 8)],
            control="THIRD_COUNTRY_CONTROL_CONTROLLED",
            ownership={"parent_id": "CN-ORION-GROUP",
                       "parent_name": "Orion Optics Group",
                       "ultimate_controller_id": "CN-ORION-GROUP",
                       "ultimate_controller_country": "CN"}),
]


def main():
    out = os.path.join(os.path.dirname(__file__), "..", "data", "sample")
    with open(os.path.join(out, "edf_call.jsonl"), "w") as f:
        f.write(json.dumps(CALL, ensure_ascii=False, sort_keys=True) + "\n")
    with open(os.path.join(out, "partners.jsonl"), "w") as f:
        for p in PARTNERS:
            f.write(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
