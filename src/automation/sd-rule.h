/* sd-rule.h: the automation rules of a playbook stage — guards, triggers and robots — as
 * data the engine interprets and a rules editor can show.
 *
 * The JSON form is described in docs/PLAYBOOKS.md ("Rules").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SdPlaybookText SdPlaybookText;

/* What happened to a deal; the engine's input. */
typedef enum
{
  SD_EVENT_ENTERED,         /* the deal entered its current stage */
  SD_EVENT_CREATED,         /* created by a user or pulled from the portal */
  SD_EVENT_FORM_RECEIVED,   /* created from a web or CRM form */
  SD_EVENT_FIELD_CHANGED,   /* a deal field or custom field changed: the event names it */
  SD_EVENT_FILE_ATTACHED,   /* the event names the file's kind */
  SD_EVENT_PAYMENT_ADDED,
  SD_EVENT_APPROVAL_GIVEN,  /* a head or manager approved the deal (R-AUTO-5) */
  SD_EVENT_CONVERTED,       /* a lead became this deal (R-AUTO-4) */
  SD_EVENT_ASSIGNED,        /* a person chose the responsible by hand (R-AUTO-3) */
  SD_EVENT_TIMER,           /* a delayed or repeating robot came due */
  SD_N_EVENTS
} SdEventKind;

const char *sd_event_kind_to_string   (SdEventKind  kind);
gboolean    sd_event_kind_from_string (const char  *name,
                                       SdEventKind *out);

typedef enum
{
  SD_CONDITION_ALL,
  SD_CONDITION_ANY,
  SD_CONDITION_NOT,
  SD_CONDITION_FIELD,   /* a comparison on a deal, contact or company field */
  SD_CONDITION_FILES,   /* at least N files of a kind */
  SD_CONDITION_ROLE,    /* the acting person has one of the roles */
} SdConditionKind;

typedef enum
{
  SD_OP_SET,
  SD_OP_EMPTY,
  SD_OP_EQ,
  SD_OP_NE,
  SD_OP_LT,
  SD_OP_LE,
  SD_OP_GT,
  SD_OP_GE,
  SD_OP_IN,
  SD_OP_NOT_IN,
} SdConditionOp;

typedef struct _SdCondition SdCondition;
struct _SdCondition
{
  SdConditionKind  kind;
  GPtrArray       *children;   /* SdCondition *, for all / any / not */
  char            *field;      /* "amount", "object_type", "contact.client_type" */
  SdConditionOp    op;
  gboolean         numeric;    /* compare as numbers: the value was a number */
  gint64           number;     /* money fields in kopecks (the file writes roubles) */
  char            *text;
  GStrv            list;       /* for in / not_in */
  char            *file_kind;  /* SD_CONDITION_FILES */
  gint64           at_least;
  GStrv            roles;      /* SD_CONDITION_ROLE */
};

typedef enum
{
  SD_ACTION_NOTIFY,          /* staff: in the app, by e-mail, by SMS */
  SD_ACTION_MESSAGE_CLIENT,  /* the deal's contact: e-mail, SMS, messenger */
  SD_ACTION_CREATE_TASK,
  SD_ACTION_SET_FIELD,
  SD_ACTION_MOVE,
  SD_ACTION_ASSIGN,          /* change the responsible to a named person */
  SD_ACTION_DISTRIBUTE,      /* choose the responsible among a role, by weight (R-AUTO-3) */
  SD_ACTION_CREATE_DOCUMENT, /* a hook for the documents work */
  SD_ACTION_POST_FEED,       /* the company feed: to everyone, or to @to, in @as's name */
  SD_ACTION_FOLLOW_UP,       /* next contact date and a task to call (R-KPI-3) */
} SdActionKind;

/* People are named by what they are to the deal: "responsible", "head" (the responsible's
 * head), "head_chain" (every head up the department tree), "actor" (who caused the
 * event), "role:CODE", "user:LOGIN". */
typedef struct
{
  SdActionKind    kind;
  GStrv           to;              /* notify, assign (first), create_task responsible */
  GStrv           channels;        /* notify: app email sms; client: email sms messenger */
  SdPlaybookText *subject;         /* e-mail subject, task title */
  SdPlaybookText *text;            /* template with {placeholders} */
  char           *creator;         /* create_task: a person as in @to */
  gint64          deadline;        /* create_task: seconds from now, 0 none */
  gboolean        needs_acceptance;
  char           *field;           /* set_field */
  char           *value;
  char           *stage;           /* move */
  char           *role;            /* distribute */
  char           *document;        /* create_document: estimate, invoice, act, contract */
  GStrv           attach;          /* message_client: kinds of the deal's files to attach */
  gint64          after;           /* follow_up: seconds from now */
  char           *as;              /* post_feed: the person it is posted in the name of */
} SdRuleAction;

typedef enum
{
  SD_RULE_GUARD,    /* must hold for a deal to enter the stage */
  SD_RULE_TRIGGER,  /* moves a deal to the stage when its event happens */
  SD_RULE_ROBOT,    /* acts on entering the stage, or on an event while in it */
} SdRuleKind;

typedef struct
{
  SdRuleKind      kind;
  char           *id;         /* "body_repair/inspection/photo": stable, for run keys */
  char           *code;
  SdPlaybookText *name;       /* what the timeline and the editor show; NULL: the code */
  char           *stage;      /* the stage the rule belongs to */
  gboolean        enabled;
  SdEventKind     on;         /* triggers and robots; robots default to entered */
  char           *on_field;   /* field_changed: which field; NULL any */
  char           *on_file_kind; /* file_attached: which kind; NULL any */
  GStrv           from;       /* triggers: stages it moves from; NULL every earlier one */
  SdCondition    *when;       /* NULL: always */
  gint64          delay;      /* robots: seconds after the event */
  gint64          repeat;     /* robots: seconds between repeats while in the stage */
  SdPlaybookText *message;    /* guards: what is missing, said to the user */
  GPtrArray      *actions;    /* SdRuleAction *, robots */
} SdRule;

/* The playbook's seller rating (R-AUTO-11): once a period, sellers of a role are rated by
 * plan completion and task efficiency, and those at or over @at_least percent of their
 * plan are thanked in the company feed. */
/* The seed's promotion after a group vote (R-AUTO-11): a seller rated at or over
 * @at_least percent of the plan is put to a vote of the rest of the group, each asked
 * @question; when more than @share percent of them vote for it within @within seconds,
 * the seller's position becomes @position (announced in the feed with @announce). */
typedef struct
{
  gint64          at_least;   /* percent of the plan */
  gint64          share;      /* percent of the group that must vote for it, exclusive */
  gint64          within;     /* seconds the vote is open */
  SdPlaybookText *position;   /* the new position, e.g. "Head of the sales group" */
  SdPlaybookText *question;   /* {seller}, {plan_percent}, {period}, {position} */
  SdPlaybookText *announce;   /* NULL: none; {seller}, {position} */
} SdPromotionRule;

typedef struct
{
  char           *role;
  gboolean        weekly;     /* else monthly */
  gint64          at_least;   /* percent of the plan */
  SdPlaybookText *thanks;     /* {seller}, {plan_percent}, {won}, {period} */
  SdPromotionRule *promotion; /* NULL: none */
} SdRatingRule;

void     sd_condition_free   (SdCondition  *condition);
void     sd_rating_rule_free (SdRatingRule *rating);
void     sd_rule_action_free (SdRuleAction *action);
void     sd_rule_free        (SdRule       *rule);

/* "30m", "2h", "3d", "2w", "1y" -> seconds; FALSE for anything else. */
gboolean sd_duration_parse   (const char   *text,
                              gint64       *out_seconds);

/* The money fields, whose values in a playbook are roubles and in the store kopecks. */
gboolean sd_rule_field_is_money (const char *field);

G_END_DECLS
