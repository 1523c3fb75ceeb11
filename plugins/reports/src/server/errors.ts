import { defineError } from '@charla/core';

export const ReportErrors = {
  badRange: defineError('CHARLA_REPORTS_BAD_RANGE', 400),
  badTimeZone: defineError('CHARLA_REPORTS_BAD_TIMEZONE', 400),
  siteNotFound: defineError('CHARLA_REPORTS_SITE_NOT_FOUND', 404),
};
