"""Which area leads a case, by the rule of its era: the home area's board for a serious case review (the
responsible authority's for a looked-after child), the area where it happened since Working Together 2018,
and the home area for a child harmed outside England."""

from commissioning import rules
from commissioning.lead import lead_area, scr_era

HOME = {"area": "hackney", "country": "england"}


def test_the_editions_before_2018_are_of_the_serious_case_review_era() -> None:
    eras = {ruleset.id: scr_era(set(ruleset.criteria)) for ruleset in rules.load_all()}
    assert eras == {"wt2006": True, "wt2010": True, "wt2015": True, "wt2023": False}


def test_a_serious_case_review_is_led_by_the_board_where_the_child_lived() -> None:
    lead = lead_area({**HOME, "incident_area": "camden"}, scr=True)
    assert (lead.area, lead.others) == ("hackney", ("camden",))
    assert "normally lived" in lead.reason


def test_a_looked_after_childs_review_is_led_by_the_responsible_authoritys_board() -> None:
    features = {**HOME, "looked_after": True, "responsible_area": "islington", "incident_area": "camden"}
    lead = lead_area(features, scr=True)
    assert (lead.area, lead.others) == ("islington", ("hackney", "camden"))


def test_without_the_responsible_authority_the_home_board_leads_a_looked_after_childs_review() -> None:
    lead = lead_area({**HOME, "looked_after": True}, scr=True)
    assert (lead.area, lead.others) == ("hackney", ())


def test_since_2018_the_area_where_it_happened_leads_with_the_home_area() -> None:
    lead = lead_area(
        {**HOME, "incident_area": "Camden", "looked_after": True, "responsible_area": "Hackney"}, scr=False
    )
    assert (lead.area, lead.others) == ("Camden", ("hackney",))
    assert "where it happened" in lead.reason


def test_it_happening_in_the_home_area_leaves_the_home_area_leading() -> None:
    same = lead_area({**HOME, "incident_area": "Hackney"}, scr=False)
    assert (same.area, same.others) == ("hackney", ())
    alone = lead_area(HOME, scr=False)
    assert (alone.area, alone.others, alone.reason) == ("hackney", (), same.reason)


def test_a_child_harmed_outside_england_is_led_by_the_area_where_they_live() -> None:
    features = {"area": "hackney", "country": "wales", "normally_resident_in_england": True}
    lead = lead_area({**features, "incident_area": "cardiff"}, scr=False)
    assert (lead.area, lead.others) == ("hackney", ("cardiff",))
    assert "outside England" in lead.reason


def test_a_responsible_area_the_same_as_home_is_not_another_area() -> None:
    lead = lead_area({**HOME, "responsible_area": "hackney"}, scr=False)
    assert lead.others == ()
