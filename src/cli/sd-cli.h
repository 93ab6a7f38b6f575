/* sd-cli.h: what the sdelka-cli subcommands share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"

G_BEGIN_DECLS

enum {
  SD_CLI_OK = 0,
  SD_CLI_FAILED = 1,
  SD_CLI_USAGE = 2,
};

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} SdCliCommand;

/* The database named by --db, else the app's own. */
extern char *sd_cli_db_path;

/* Parses a subcommand's options with --db and --help; on a usage error prints it and
 * returns FALSE. @parameters is the synopsis after the command name. */
gboolean  sd_cli_parse       (const char    *command,
                              const char    *parameters,
                              const char    *summary,
                              GOptionEntry  *entries,
                              int           *argc,
                              char        ***argv);
SdStore  *sd_cli_open_store  (void);
int       sd_cli_fail        (GError        *error);
int       sd_cli_usage       (const char    *format,
                              ...) G_GNUC_PRINTF (1, 2);
/* A user by login or number; 0 with a message when there is none. */
gint64    sd_cli_find_user   (SdStore       *store,
                              const char    *name);

/* @text padded with spaces to @width characters (printf's widths count bytes, so Cyrillic
 * columns would not line up): on the right for a negative @width, like "%-*s", else on
 * the left. NULL is printed as "". */
char     *sd_cli_pad         (const char    *text,
                              int            width);

void      sd_cli_print_journal_entry (gpointer entry,
                                      gpointer unused);

int sd_cli_demo     (int argc, char **argv);
int sd_cli_stats    (int argc, char **argv);
int sd_cli_search   (int argc, char **argv);
int sd_cli_deal     (int argc, char **argv);
int sd_cli_journal  (int argc, char **argv);
int sd_cli_playbook (int argc, char **argv);
int sd_cli_users    (int argc, char **argv);
int sd_cli_automation (int argc, char **argv);
int sd_cli_connect  (int argc, char **argv);
int sd_cli_sync     (int argc, char **argv);
int sd_cli_disconnect (int argc, char **argv);

G_END_DECLS
