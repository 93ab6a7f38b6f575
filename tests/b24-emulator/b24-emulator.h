/* b24-emulator.h: types shared by every part of the Bitrix24 REST emulator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _B24Emu B24Emu;
typedef struct _B24Call B24Call;
typedef struct _B24Reply B24Reply;
typedef struct _B24Limits B24Limits;
typedef struct _B24Faults B24Faults;
typedef struct _B24Events B24Events;

typedef void (*B24MethodFunc) (B24Call  *call,
                               B24Reply *reply);

typedef enum {
  B24_METHOD_APP_ONLY = 1 << 0, /* "works only in the context of application authorization" */
  B24_METHOD_NO_BATCH = 1 << 1,
} B24MethodFlags;

typedef struct {
  const char *name;  /* lower case: method names are matched case-insensitively */
  const char *scope;
  B24MethodFunc func;
  guint flags;
  gconstpointer data; /* e.g. the entity a generic CRM handler works on */
} B24Method;

typedef struct {
  gint64 user_id;
  char *secret;
  char **scopes; /* NULL: every scope */
} B24Webhook;

typedef struct {
  char *access_token;
  char *refresh_token;
  gint64 user_id;
  gint64 expires;          /* Unix seconds */
  gint64 refresh_expires;
} B24Token;

/* An authorization code: who signed in, and until when it may be exchanged. */
typedef struct {
  gint64 user_id;
  gint64 expires;
} B24Code;

typedef struct {
  guint16 port;
  char *db_path;
  double rate;
  double burst;
  double operating_limit; /* seconds per 10 minutes; 0 = off */
  double operating_cost;  /* seconds charged per call on top of the measured time */
  int tz_offset;          /* portal offset from UTC in seconds */
  guint seed_deals;
  guint seed_contacts;
  guint seed_companies;
  guint seed;
  gboolean log;
} B24Config;

struct _B24Emu {
  B24Config config;
  SoupServer *server;
  sqlite3 *db;
  GHashTable *stmts;    /* SQL text → prepared statement */
  char *base_url;       /* http://127.0.0.1:PORT */
  GTimeZone *tz;
  GHashTable *methods;  /* lower-case name → const B24Method * */
  GPtrArray *webhooks;  /* B24Webhook * */
  GHashTable *tokens;   /* access token → B24Token * (owned) */
  GHashTable *refresh;  /* refresh token → same B24Token * */
  GHashTable *codes;    /* authorization code → B24Code * (owned) */
  char *client_id;
  char *client_secret;
  char *member_id;
  char *application_token;
  B24Limits *limits;
  B24Faults *faults;
  B24Events *events;
  guint64 requests;     /* REST requests answered, for the control door's stats */
};

/* One REST method invocation, over HTTP or inside a batch. */
struct _B24Call {
  B24Emu *emu;
  const B24Method *method;
  gint64 user_id;
  gboolean is_app;            /* OAuth (application) rather than an inbound webhook */
  const char *credential;     /* key of the operating-time account */
  const char *auth_connector; /* events caused by this call skip bindings with this connector */
  char **scopes;              /* NULL: every scope */
  JsonObject *params;
};

/* The outcome of a method: result (+ total/next for lists) or an error. */
struct _B24Reply {
  JsonNode *result;
  gint64 total; /* -1: not a list */
  gint64 next;  /* -1: no next page */
  guint status; /* 0 or 200 on success */
  char *error;
  char *error_description;
  double operating;           /* the method's operating time, for the "time" object */
  gint64 operating_reset_at;
};

/* b24-server.c */
B24Emu *b24_emu_new (const B24Config *config,
                     GError         **error);
void b24_emu_free (B24Emu *emu);
gboolean b24_emu_listen (B24Emu  *emu,
                         GError **error);
void b24_emu_add_methods (B24Emu          *emu,
                          const B24Method *methods,
                          gsize            n_methods);
const B24Method *b24_emu_find_method (B24Emu     *emu,
                                      const char *name);
void b24_emu_add_webhook (B24Emu     *emu,
                          const char *spec);
B24Token *b24_emu_issue_token (B24Emu *emu,
                               gint64  user_id,
                               gint64  expires_in);
/* Runs a method with the operating-time accounting (but not the leaky bucket). */
void b24_emu_invoke (B24Call  *call,
                     B24Reply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (B24Emu, b24_emu_free)

/* Method families. */
void b24_crm_deal_register (B24Emu *emu);
void b24_crm_contact_register (B24Emu *emu);
void b24_crm_company_register (B24Emu *emu);
void b24_crm_lead_register (B24Emu *emu);
void b24_crm_requisite_register (B24Emu *emu);
void b24_crm_status_register (B24Emu *emu);
void b24_crm_timeline_register (B24Emu *emu);
void b24_crm_userfield_register (B24Emu *emu);
void b24_user_register (B24Emu *emu);
void b24_batch_register (B24Emu *emu);
void b24_tasks_register (B24Emu *emu);
void b24_disk_register (B24Emu *emu);
void b24_im_register (B24Emu *emu);
void b24_events_register (B24Emu *emu);

G_END_DECLS
