/* sd-rule-sentence.h: playbook rules told as sentences people read on the robots board
 * ("When the amount is set → move to Agreement").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-playbook.h"

G_BEGIN_DECLS

/* The whole rule: when it acts, on what condition, and what it does. */
char      *sd_rule_sentence          (const SdPlaybook  *pb,
                                      const SdRule      *rule);
/* What a condition asks, e.g. "the amount left to pay is over 0 ₽". */
char      *sd_condition_sentence     (const SdPlaybook  *pb,
                                      const SdCondition *condition);
/* "1 000 000": digits in groups of three, as people read amounts. */
char      *sd_number_describe        (gint64             number);
/* "2 days", "1 year", "30 minutes". */
char      *sd_duration_describe      (gint64             seconds);
/* A field of a condition or a placeholder as people call it: "the amount",
 * "the contact's phone", a playbook field's name. */
char      *sd_rule_field_label       (const SdPlaybook  *pb,
                                      const char        *field);
/* A person as rules name them ("responsible", "role:head") as people call them. */
char      *sd_rule_person_label      (const SdPlaybook  *pb,
                                      const char        *person);
/* Every placeholder a template of @pb may use, in picker order (transfer full: strings). */
GPtrArray *sd_rule_placeholders      (const SdPlaybook  *pb);

G_END_DECLS
