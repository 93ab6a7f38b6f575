/* b24-crm-company.c: crm.company.* — fields; the shared handlers do the rest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-entity.h"

#define RO B24_FIELD_READONLY

static const B24Field company_fields[] = {
  { "ID", B24_FIELD_ID, "integer", RO, "ID" },
  { "TITLE", B24_FIELD_STRING, "string", B24_FIELD_REQUIRED, "Название компании" },
  { "COMPANY_TYPE", B24_FIELD_STRING, "crm_status", 0, "Тип компании", "COMPANY_TYPE" },
  { "LOGO", B24_FIELD_STRING, "file", RO, "Логотип" },
  { "LEAD_ID", B24_FIELD_INT, "crm_lead", RO, "Лид" },
  { "HAS_PHONE", B24_FIELD_CHAR, "char", RO, "Задан телефон" },
  { "HAS_EMAIL", B24_FIELD_CHAR, "char", RO, "Задан e-mail" },
  { "HAS_IMOL", B24_FIELD_CHAR, "char", RO, "Задана открытая линия" },
  { "ASSIGNED_BY_ID", B24_FIELD_INT, "user", 0, "Ответственный" },
  { "CREATED_BY_ID", B24_FIELD_INT, "user", RO, "Кем создана" },
  { "MODIFY_BY_ID", B24_FIELD_INT, "user", RO, "Кем изменена" },
  { "BANKING_DETAILS", B24_FIELD_STRING, "string", 0, "Банковские реквизиты" },
  { "INDUSTRY", B24_FIELD_STRING, "crm_status", 0, "Сфера деятельности", "INDUSTRY" },
  { "REVENUE", B24_FIELD_MONEY, "double", 0, "Годовой оборот" },
  { "CURRENCY_ID", B24_FIELD_STRING, "crm_currency", 0, "Валюта" },
  { "EMPLOYEES", B24_FIELD_STRING, "crm_status", 0, "Кол-во сотрудников", "EMPLOYEES" },
  { "COMMENTS", B24_FIELD_STRING, "string", 0, "Комментарий" },
  { "DATE_CREATE", B24_FIELD_DATETIME, "datetime", RO, "Дата создания" },
  { "DATE_MODIFY", B24_FIELD_DATETIME, "datetime", RO, "Дата изменения" },
  { "OPENED", B24_FIELD_CHAR, "char", 0, "Доступна для всех" },
  { "IS_MY_COMPANY", B24_FIELD_CHAR, "char", 0, "Моя компания" },
  { "ORIGINATOR_ID", B24_FIELD_STRING, "string", 0, "Внешний источник" },
  { "ORIGIN_ID", B24_FIELD_STRING, "string", 0, "Идентификатор во внешнем источнике" },
  { "ORIGIN_VERSION", B24_FIELD_STRING, "string", 0, "Версия во внешнем источнике" },
  { "ADDRESS", B24_FIELD_STRING, "string", 0, "Улица, дом, корпус, строение" },
  { "ADDRESS_CITY", B24_FIELD_STRING, "string", 0, "Город" },
  { "ADDRESS_POSTAL_CODE", B24_FIELD_STRING, "string", 0, "Почтовый индекс" },
  { "ADDRESS_COUNTRY", B24_FIELD_STRING, "string", 0, "Страна" },
  { "REG_ADDRESS", B24_FIELD_STRING, "string", 0, "Юридический адрес" },
  { "REG_ADDRESS_CITY", B24_FIELD_STRING, "string", 0, "Город (юр. адрес)" },
  { "REG_ADDRESS_POSTAL_CODE", B24_FIELD_STRING, "string", 0, "Индекс (юр. адрес)" },
  { "UTM_SOURCE", B24_FIELD_STRING, "string", 0, "Рекламная система" },
  { "UTM_MEDIUM", B24_FIELD_STRING, "string", 0, "Тип трафика" },
  { "UTM_CAMPAIGN", B24_FIELD_STRING, "string", 0, "Обозначение рекламной кампании" },
  { "UTM_CONTENT", B24_FIELD_STRING, "string", 0, "Содержание кампании" },
  { "UTM_TERM", B24_FIELD_STRING, "string", 0, "Условие поиска кампании" },
  { "LAST_ACTIVITY_TIME", B24_FIELD_DATETIME, "datetime", RO, "Последняя активность" },
  { "LAST_ACTIVITY_BY", B24_FIELD_INT, "user", RO, "Автор последней активности" },
  { "PHONE", B24_FIELD_MULTI, "crm_multifield", 0, "Телефон" },
  { "EMAIL", B24_FIELD_MULTI, "crm_multifield", 0, "E-mail" },
  { "WEB", B24_FIELD_MULTI, "crm_multifield", 0, "Сайт" },
  { "IM", B24_FIELD_MULTI, "crm_multifield", 0, "Мессенджер" },
  { "LINK", B24_FIELD_MULTI, "crm_multifield", 0, "Ссылка" },
  { NULL },
};

static gboolean
company_prepare (B24Call    *call,
                 gint64      id,
                 GHashTable *values,
                 B24Reply   *reply)
{
  if (id == 0)
    {
      b24_values_default (values, "OPENED", json_node_init_string (json_node_alloc (), "Y"));
      b24_values_default (values, "IS_MY_COMPANY", json_node_init_string (json_node_alloc (), "N"));
      b24_values_default (values, "COMPANY_TYPE", json_node_init_string (json_node_alloc (), "CUSTOMER"));
      b24_values_default (values, "CURRENCY_ID", json_node_init_string (json_node_alloc (), "RUB"));
      b24_values_default (values, "ASSIGNED_BY_ID", json_node_init_int (json_node_alloc (), call->user_id));
    }
  return TRUE;
}

const B24Entity b24_entity_company = {
  .table = "company",
  .fields = company_fields,
  .uf_entity = "CRM_COMPANY",
  .mf_entity = "COMPANY",
  .event_prefix = "ONCRMCOMPANY",
  .prepare = company_prepare,
};

static const B24Method company_methods[] = {
  { "crm.company.list", "crm", b24_crm_list, 0, &b24_entity_company },
  { "crm.company.get", "crm", b24_crm_get, 0, &b24_entity_company },
  { "crm.company.add", "crm", b24_crm_add, 0, &b24_entity_company },
  { "crm.company.update", "crm", b24_crm_update, 0, &b24_entity_company },
  { "crm.company.delete", "crm", b24_crm_delete, 0, &b24_entity_company },
  { "crm.company.fields", "crm", b24_crm_fields, 0, &b24_entity_company },
};

void
b24_crm_company_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, company_methods, G_N_ELEMENTS (company_methods));
}
