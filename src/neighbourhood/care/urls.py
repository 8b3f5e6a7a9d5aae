from django.urls import path

from neighbourhood.care import assessment_views, consent_views, plan_views, team_views

# Under /people/ beside the record itself (register/urls.py).
urlpatterns = [
    path("<str:nhs_number>/care-team/", team_views.care_team, name="care_team"),
    path("<str:nhs_number>/care-team/add/", team_views.add_member, name="care_team_add"),
    path("<str:nhs_number>/care-team/named-gp/", team_views.named_gp, name="care_team_named_gp"),
    path("<str:nhs_number>/care-team/<int:member_id>/", team_views.change_member, name="care_team_member"),
    path("<str:nhs_number>/consent/", consent_views.consent, name="consent"),
    path("<str:nhs_number>/consent/record/", consent_views.record_consent, name="consent_record"),
    path(
        "<str:nhs_number>/consent/<int:consent_id>/withdraw/",
        consent_views.withdraw_consent,
        name="consent_withdraw",
    ),
    path("<str:nhs_number>/consent/objection/", consent_views.record_objection, name="objection_record"),
    path(
        "<str:nhs_number>/consent/objection/<int:objection_id>/withdraw/",
        consent_views.withdraw_objection,
        name="objection_withdraw",
    ),
    path("<str:nhs_number>/consent/capacity/", consent_views.assess_capacity, name="capacity_assess"),
    path(
        "<str:nhs_number>/consent/capacity/<int:assessment_id>/best-interests/",
        consent_views.best_interests,
        name="best_interests",
    ),
    path("<str:nhs_number>/assessments/", assessment_views.assessments, name="assessments"),
    path("<str:nhs_number>/assessments/new/", assessment_views.start, name="assessment_start"),
    path("<str:nhs_number>/assessments/<int:assessment_id>/", assessment_views.detail, name="assessment"),
    path(
        "<str:nhs_number>/assessments/<int:assessment_id>/edit/",
        assessment_views.edit,
        name="assessment_edit",
    ),
    path("<str:nhs_number>/plan/", plan_views.plan, name="care_plan"),
    path("<str:nhs_number>/plan/edit/", plan_views.edit, name="care_plan_edit"),
    path("<str:nhs_number>/plan/versions/", plan_views.versions, name="care_plan_versions"),
    path("<str:nhs_number>/plan/versions/<int:number>/", plan_views.compare, name="care_plan_compare"),
    path("<str:nhs_number>/plan/pdf/", plan_views.pdf, name="care_plan_pdf"),
]
