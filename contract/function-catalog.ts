/**
 * Every Lambda function of the product, declared once. The CDK stack builds one function per entry; the local cloud
 * imports the same handler files and feeds the state machine definition the same placeholder names.
 */
export interface FunctionSpec {
  /** Handler module, relative to the repo root; it exports `handler`. */
  entry: string;
  description: string;
  memorySize: number;
  timeoutSeconds: number;
  /** Placeholder in workflows/*.asl.json that receives this function's ARN, if the workflow invokes it. */
  aslPlaceholder?: string;
  /** What the function is allowed to touch; the stack turns each into least-privilege grants and env vars. */
  needs: ReadonlyArray<
    | 'table'
    | 'startJourney'
    | 'completeStaffTask'
    | 'redriveJourney'
    | 'describeJourney'
    | 'listJourneys'
    | 'clearinghouse'
    | 'payments'
    | 'email'
    | 'staffAlerts'
    | 'scheduleEscalations'
    | 'patientIdentityKey'
    | 'auditArchive'
    | 'readAuditDays'
    | 'publishAppointmentEvents'
    | 'scheduleAppointmentTimers'
    | 'offerLinks'
  >;
  /**
   * Fed by events rather than by a caller: journeyStatusChange, the stopped-execution rule's SQS queue; auditStream,
   * the table's stream of audit-record inserts (contract/audit-archive.ts), which the function reads without any access
   * to the table's items; escalationSchedule, the one-time EventBridge schedule of a staff task's due time;
   * appointmentStream, the table's stream of appointment writes; appointmentEvent, a rule of the event bus
   * (contract/appointment-events.ts); appointmentTimer, a one-time schedule of an appointment (a no-show check).
   */
  trigger?: 'journeyStatusChange' | 'auditStream' | 'escalationSchedule' | 'appointmentStream' | 'appointmentEvent' | 'appointmentTimer';
}

export const FUNCTIONS = {
  authorizeApiKey: {
    entry: 'functions/api/authorize-api-key.handler.ts',
    description: 'HTTP API authorizer: checks the x-api-key hash against the clinic in the path',
    memorySize: 256,
    timeoutSeconds: 5,
    needs: ['table'],
  },
  submitIntake: {
    entry: 'functions/intake/submit-intake.handler.ts',
    description: 'POST intake-submissions: validates, registers or matches the patient, starts the journey',
    memorySize: 512,
    timeoutSeconds: 10,
    needs: ['table', 'startJourney', 'patientIdentityKey'],
  },
  getJourney: {
    entry: 'functions/journey/get-journey.handler.ts',
    description: 'GET journeys/{journeyId}: the journey as the front desk sees it, without clinical details',
    memorySize: 256,
    timeoutSeconds: 5,
    needs: ['table'],
  },
  decideStaffTask: {
    entry: 'functions/journey/decide-staff-task.handler.ts',
    description: "POST staff-tasks/{taskId}/decision: records a person's decision and resumes the journey",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table', 'completeStaffTask', 'redriveJourney', 'scheduleEscalations'],
  },
  managePriorAuthorization: {
    entry: 'functions/journey/prior-authorization.handler.ts',
    description: "GET/POST appointments/{appointmentId}/authorization: a visit's prior-authorization case; an approval resumes its journey",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table', 'completeStaffTask', 'redriveJourney', 'scheduleEscalations'],
  },
  listStaffTasks: {
    entry: 'functions/staff-tasks/list-staff-tasks.handler.ts',
    description: "GET staff-tasks: a page of the tasks in the person's queues, most due first",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  getStaffTask: {
    entry: 'functions/staff-tasks/get-staff-task.handler.ts',
    description: 'GET staff-tasks/{taskId}: one task with the patient and fields in question (audited read)',
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  workStaffTask: {
    entry: 'functions/staff-tasks/work-staff-task.handler.ts',
    description: 'POST staff-tasks/{taskId}/claim, release, notes: a person works a task (audited)',
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  logContact: {
    entry: 'functions/staff-tasks/log-contact.handler.ts',
    description: 'POST contacts: a person logs a call, message or walk-in question; it becomes a routed task or a triage slip',
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table', 'staffAlerts', 'scheduleEscalations'],
  },
  disposeTriageSlip: {
    entry: 'functions/staff-tasks/dispose-triage-slip.handler.ts',
    description: 'POST staff-tasks/{taskId}/disposition: a clinician closes a triage slip with a clinical disposition (audited)',
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  getJourneyTimeline: {
    entry: 'functions/journey/journey-timeline.handler.ts',
    description: "GET journeys/{journeyId}/timeline: a journey's stage states and its tasks' events, with who did what",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  listJourneys: {
    entry: 'functions/journey/list-journeys.handler.ts',
    description: "GET journeys: a page of the clinic's journeys by status and stage (IDs, statuses and times only)",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  listAvailability: {
    entry: 'functions/scheduling/list-availability.handler.ts',
    description: 'GET availability: open slots of one appointment type, honouring hours, closures, time off and buffers',
    memorySize: 512,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  bookChosenSlot: {
    entry: 'functions/scheduling/book-chosen-slot.handler.ts',
    description: 'POST appointments: staff book a chosen slot for a patient, conflict-safe (409 with the next open slots)',
    memorySize: 512,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  manageAppointmentSeries: {
    entry: 'functions/scheduling/appointment-series.handler.ts',
    description: 'POST appointment-series (a plan of care from a recurrence rule) and …/{seriesId}/cancel (the rest of it)',
    memorySize: 512,
    timeoutSeconds: 29,
    needs: ['table'],
  },
  getDaySchedule: {
    entry: 'functions/scheduling/day-schedule.handler.ts',
    description: "GET appointments?date: one local day's schedule from the day index (each patient shown is audited)",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  changeAppointment: {
    entry: 'functions/scheduling/change-appointment.handler.ts',
    description: 'POST appointments/{appointmentId}/reschedule|cancel|check-in|no-show|complete: one conditional transition',
    memorySize: 512,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  listAuditEvents: {
    entry: 'functions/audit/list-audit-events.handler.ts',
    description: "GET audit-events: who touched a patient's data, or a window of the clinic's trail (admins)",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  correctCoverage: {
    entry: 'functions/corrections/correct-coverage.handler.ts',
    description: "PATCH journeys/{journeyId}/coverage: staff correct the patient's insurance, or confirm self-pay (audited)",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  correctPatient: {
    entry: 'functions/corrections/correct-patient.handler.ts',
    description: "PATCH journeys/{journeyId}/patient: staff correct the patient's demographics and contact details (audited)",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table', 'patientIdentityKey'],
  },
  resolveDuplicate: {
    entry: 'functions/corrections/resolve-duplicate.handler.ts',
    description: 'POST journeys/{journeyId}/duplicate-resolution: staff merge a possible duplicate patient or keep them apart',
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  listStoppedExecutions: {
    entry: 'functions/journey/list-stopped-executions.handler.ts',
    description: "GET ops/executions: the deployment's stopped journey executions (clinic, stage, error name), for ops",
    memorySize: 256,
    timeoutSeconds: 15,
    needs: ['table', 'listJourneys'],
  },
  redriveExecution: {
    entry: 'functions/journey/redrive-execution.handler.ts',
    description: 'POST ops/executions/{executionId}/redrive: ops redrive a stopped journey (the RETRY of its staff task)',
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table', 'redriveJourney', 'listJourneys', 'scheduleEscalations'],
  },
  escalateStaffTask: {
    entry: 'functions/staff-tasks/escalate-staff-task.handler.ts',
    description: "A staff task's due time: alerts its queue's lead when it is still open (once)",
    memorySize: 256,
    timeoutSeconds: 10,
    trigger: 'escalationSchedule',
    needs: ['table', 'staffAlerts'],
  },
  getOpenApiDocument: {
    entry: 'functions/api/get-openapi-document.handler.ts',
    description: 'GET openapi.json (no API key): the OpenAPI 3.1 description of this API, as in docs/openapi.json',
    memorySize: 128,
    timeoutSeconds: 3,
    needs: [],
  },
  screenIntake: {
    entry: 'functions/intake/screen-intake.handler.ts',
    description: 'Journey task: marks intake complete and alerts clinical staff when the answers show risk',
    memorySize: 256,
    timeoutSeconds: 10,
    aslPlaceholder: 'ScreenIntakeFunctionArn',
    needs: ['table', 'staffAlerts', 'scheduleEscalations'],
  },
  verifyEligibility: {
    entry: 'functions/eligibility/verify-eligibility.handler.ts',
    description: 'Journey task: real-time eligibility (X12 270/271) with the clearinghouse',
    memorySize: 512,
    timeoutSeconds: 30,
    aslPlaceholder: 'VerifyEligibilityFunctionArn',
    needs: ['table', 'clearinghouse'],
  },
  planReverification: {
    entry: 'functions/eligibility/plan-reverification.handler.ts',
    description:
      "AppointmentChanged (booked, rescheduled): schedules the visit's coverage checks, days ahead and on the day; reopens a lapsed prior authorization",
    memorySize: 256,
    timeoutSeconds: 30,
    trigger: 'appointmentEvent',
    needs: ['table', 'scheduleAppointmentTimers', 'scheduleEscalations'],
  },
  reverifyEligibility: {
    entry: 'functions/eligibility/reverify-eligibility.handler.ts',
    description: "A visit's coverage check: asks the payer again; a change becomes a COVERAGE_CHANGED task before the visit",
    memorySize: 512,
    timeoutSeconds: 30,
    trigger: 'appointmentTimer',
    needs: ['table', 'clearinghouse', 'scheduleEscalations'],
  },
  bookAppointment: {
    entry: 'functions/scheduling/book-appointment.handler.ts',
    description: 'Journey task: books the earliest slot that fits the appointment type and preferences',
    memorySize: 512,
    timeoutSeconds: 30,
    aslPlaceholder: 'BookAppointmentFunctionArn',
    needs: ['table'],
  },
  collectPayment: {
    entry: 'functions/payment/collect-payment.handler.ts',
    description: 'Journey task: charges what the patient owes, idempotently per journey',
    memorySize: 256,
    timeoutSeconds: 30,
    aslPlaceholder: 'CollectPaymentFunctionArn',
    needs: ['table', 'payments'],
  },
  sendCorrespondence: {
    entry: 'functions/correspondence/send-correspondence.handler.ts',
    description: 'Journey task: confirmation (with calendar invite) and payment-request emails',
    memorySize: 256,
    timeoutSeconds: 30,
    aslPlaceholder: 'SendCorrespondenceFunctionArn',
    needs: ['table', 'email'],
  },
  finishJourney: {
    entry: 'functions/journey/finish-journey.handler.ts',
    description: 'Journey task: records how the journey ended and, when cancelled, releases its appointment',
    memorySize: 256,
    timeoutSeconds: 10,
    aslPlaceholder: 'FinishJourneyFunctionArn',
    needs: ['table'],
  },
  parkForStaff: {
    entry: 'functions/journey/park-for-staff.handler.ts',
    description: 'Journey task (.waitForTaskToken): opens a staff task with the reason and alerts staff',
    memorySize: 256,
    timeoutSeconds: 10,
    aslPlaceholder: 'ParkForStaffFunctionArn',
    needs: ['table', 'staffAlerts', 'scheduleEscalations', 'completeStaffTask'],
  },
  recordExecutionOutcome: {
    entry: 'functions/journey/record-execution-outcome.handler.ts',
    description: 'Journey execution stopped (failed, timed out, aborted): holds the journey for staff with a redrivable task',
    memorySize: 256,
    timeoutSeconds: 10,
    trigger: 'journeyStatusChange',
    needs: ['table', 'staffAlerts', 'scheduleEscalations', 'describeJourney'],
  },
  publishAppointmentEvents: {
    entry: 'functions/scheduling/publish-appointment-events.handler.ts',
    description: 'Table stream: one AppointmentChanged event per booking and change, on the event bus (IDs and codes only)',
    memorySize: 256,
    timeoutSeconds: 30,
    trigger: 'appointmentStream',
    needs: ['publishAppointmentEvents'],
  },
  notifyAppointmentChange: {
    entry: 'functions/correspondence/notify-appointment-change.handler.ts',
    description: 'AppointmentChanged: emails the patient a staff booking, a new time or a cancellation, with the calendar update',
    memorySize: 256,
    timeoutSeconds: 30,
    trigger: 'appointmentEvent',
    needs: ['table', 'email'],
  },
  manageWaitlist: {
    entry: 'functions/scheduling/manage-waitlist.handler.ts',
    description: 'POST waitlist (put a patient in line), GET waitlist (the line, audited), POST waitlist/{entryId}/remove',
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  waitlistOffer: {
    entry: 'functions/scheduling/waitlist-offer.handler.ts',
    description: "GET waitlist-offers/{token} (the offer's page) and POST …/accept: the patient's link books the freed slot",
    memorySize: 512,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  attachOrder: {
    entry: 'functions/scheduling/attach-order.handler.ts',
    description: "PATCH journeys/{journeyId}/order: the physician's order a journey parked at scheduling waits for",
    memorySize: 256,
    timeoutSeconds: 10,
    needs: ['table'],
  },
  maintainCalendar: {
    entry: 'functions/scheduling/maintain-calendar.handler.ts',
    description: "Admins' calendar: weekly hours, closures, time off and blocks, each written with what it closed and opened",
    memorySize: 512,
    timeoutSeconds: 29,
    needs: ['table'],
  },
  rescheduleCollisions: {
    entry: 'functions/scheduling/reschedule-collisions.handler.ts',
    description:
      'CalendarClosed: every booked visit in time a calendar change took away becomes a RESCHEDULE task; CalendarOpened: those with room again are withdrawn',
    memorySize: 512,
    timeoutSeconds: 30,
    trigger: 'appointmentEvent',
    needs: ['table', 'scheduleEscalations'],
  },
  checkBookedTime: {
    entry: 'functions/scheduling/check-booked-time.handler.ts',
    description: 'AppointmentChanged (booked, rescheduled): a visit in time the calendar no longer has becomes a RESCHEDULE task',
    memorySize: 256,
    timeoutSeconds: 30,
    trigger: 'appointmentEvent',
    needs: ['table', 'scheduleEscalations'],
  },
  offerFreedTime: {
    entry: 'functions/scheduling/offer-freed-time.handler.ts',
    description: 'AppointmentChanged (cancelled, rescheduled): offers the freed time to the first waitlist entry it fits, by email',
    memorySize: 512,
    timeoutSeconds: 30,
    trigger: 'appointmentEvent',
    needs: ['table', 'email', 'scheduleAppointmentTimers', 'offerLinks'],
  },
  expireWaitlistOffer: {
    entry: 'functions/scheduling/expire-waitlist-offer.handler.ts',
    description: "A waitlist offer's expiry: it lapses and the freed time goes to the next in line",
    memorySize: 512,
    timeoutSeconds: 30,
    trigger: 'appointmentTimer',
    needs: ['table', 'email', 'scheduleAppointmentTimers', 'offerLinks'],
  },
  watchForNoShow: {
    entry: 'functions/scheduling/watch-for-no-show.handler.ts',
    description: "AppointmentChanged (booked, rescheduled): schedules the visit's no-show check, the clinic's minutes after its start",
    memorySize: 256,
    timeoutSeconds: 30,
    trigger: 'appointmentEvent',
    needs: ['table', 'scheduleAppointmentTimers'],
  },
  markNoShow: {
    entry: 'functions/scheduling/mark-no-show.handler.ts',
    description: 'A no-show check comes due: a visit still booked, not checked in, is marked a no-show (its time given back)',
    memorySize: 256,
    timeoutSeconds: 30,
    trigger: 'appointmentTimer',
    needs: ['table'],
  },
  archiveAuditRecords: {
    entry: 'functions/audit/archive-audit-records.handler.ts',
    description:
      "Table stream: copies new audit records, as JSON Lines, to the Object Lock (compliance mode) audit archive; an operator's reArchive, a day again from the table",
    memorySize: 256,
    timeoutSeconds: 60,
    trigger: 'auditStream',
    needs: ['auditArchive', 'readAuditDays'],
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

/** Environment variable names, shared by the stack (real values) and the local cloud (emulator values). */
export const ENV = {
  tableName: 'TABLE_NAME',
  journeyStateMachineArn: 'JOURNEY_STATE_MACHINE_ARN',
  clearinghouseBaseUrl: 'CLEARINGHOUSE_BASE_URL',
  clearinghouseApiKey: 'CLEARINGHOUSE_API_KEY',
  /** Deployed, the key is not in the environment: this names the Secrets Manager secret that holds it. */
  clearinghouseApiKeySecretArn: 'CLEARINGHOUSE_API_KEY_SECRET_ARN',
  paymentsBaseUrl: 'PAYMENTS_BASE_URL',
  paymentsApiKey: 'PAYMENTS_API_KEY',
  /** Deployed, the key is not in the environment: this names the Secrets Manager secret that holds it. */
  paymentsApiKeySecretArn: 'PAYMENTS_API_KEY_SECRET_ARN',
  senderEmail: 'SENDER_EMAIL',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  staffAlertsTopicArn: 'STAFF_ALERTS_TOPIC_ARN',
  /** The audit archive's S3 bucket (Object Lock): archiveAuditRecords writes one object per clinic and day per batch. */
  auditArchiveBucket: 'AUDIT_ARCHIVE_BUCKET',
  /** The stack's event bus, where publishAppointmentEvents puts AppointmentChanged events. */
  eventBusName: 'EVENT_BUS_NAME',
  /** Task escalations: the EventBridge Scheduler group, the function its schedules invoke, and the role they assume. */
  escalationScheduleGroup: 'ESCALATION_SCHEDULE_GROUP',
  escalationTargetArn: 'ESCALATION_TARGET_ARN',
  escalationSchedulerRoleArn: 'ESCALATION_SCHEDULER_ROLE_ARN',
  /** Appointment timers: the EventBridge Scheduler group, the role its schedules assume, and the functions they invoke. */
  appointmentTimerGroup: 'APPOINTMENT_TIMER_GROUP',
  appointmentTimerRoleArn: 'APPOINTMENT_TIMER_ROLE_ARN',
  noShowTargetArn: 'NO_SHOW_TARGET_ARN',
  offerExpiryTargetArn: 'OFFER_EXPIRY_TARGET_ARN',
  reverifyTargetArn: 'REVERIFY_TARGET_ARN',
  /** The API's public base URL, for links patients open (a waitlist offer's page). */
  publicApiUrl: 'PUBLIC_API_URL',
  /**
   * The patient identity key (HMAC of patient match keys and submission IDs): locally the key itself; deployed, the
   * Secrets Manager secret holding it (generated by the stack, never in the function's configuration).
   */
  patientIdentityKey: 'PATIENT_IDENTITY_KEY',
  patientIdentityKeySecretArn: 'PATIENT_IDENTITY_KEY_SECRET_ARN',
} as const;
