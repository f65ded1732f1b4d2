//! Tables and views of the `billing` schema (kept in step with migrations/billing).

diesel::table! {
    billing.activity_codes (firm_id, code) {
        firm_id -> Uuid,
        code -> Text,
        description -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        archived_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    billing.billing_rates (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        matter_id -> Nullable<Uuid>,
        activity_code -> Nullable<Text>,
        rate_minor -> Int8,
        currency -> Text,
        effective_from -> Date,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing.time_entries (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        matter_id -> Uuid,
        kind -> Text,
        activity_code -> Text,
        description -> Text,
        duration_minutes -> Int4,
        is_billable -> Bool,
        billing_rate_minor -> Int8,
        currency -> Text,
        rate_id -> Nullable<Uuid>,
        total_amount_minor -> Int8,
        status -> Text,
        work_date -> Date,
        submitted_at -> Nullable<Timestamptz>,
        approved_by -> Nullable<Uuid>,
        approved_at -> Nullable<Timestamptz>,
        rejected_by -> Nullable<Uuid>,
        rejected_at -> Nullable<Timestamptz>,
        rejection_reason -> Nullable<Text>,
        invoice_id -> Nullable<Uuid>,
        timer_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    billing.timers (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        matter_id -> Uuid,
        activity_code -> Text,
        description -> Text,
        is_billable -> Bool,
        state -> Text,
        accumulated_seconds -> Int8,
        running_since -> Nullable<Timestamptz>,
        started_at -> Timestamptz,
        stopped_at -> Nullable<Timestamptz>,
        time_entry_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    billing.expenses (id) {
        id -> Uuid,
        firm_id -> Uuid,
        user_id -> Uuid,
        matter_id -> Uuid,
        category -> Text,
        description -> Text,
        amount_minor -> Int8,
        currency -> Text,
        incurred_on -> Date,
        receipt_document_id -> Nullable<Uuid>,
        is_billable -> Bool,
        status -> Text,
        submitted_at -> Nullable<Timestamptz>,
        approved_by -> Nullable<Uuid>,
        approved_at -> Nullable<Timestamptz>,
        rejected_by -> Nullable<Uuid>,
        rejected_at -> Nullable<Timestamptz>,
        rejection_reason -> Nullable<Text>,
        invoice_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    billing.invoices (id) {
        id -> Uuid,
        firm_id -> Uuid,
        matter_id -> Uuid,
        client_id -> Uuid,
        invoice_number -> Nullable<Text>,
        status -> Text,
        currency -> Text,
        period_start -> Date,
        period_end -> Date,
        notes -> Nullable<Text>,
        issue_date -> Nullable<Date>,
        due_date -> Nullable<Date>,
        issued_at -> Nullable<Timestamptz>,
        issued_by -> Nullable<Uuid>,
        voided_at -> Nullable<Timestamptz>,
        voided_by -> Nullable<Uuid>,
        void_reason -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    billing.invoice_line_items (id) {
        id -> Uuid,
        firm_id -> Uuid,
        invoice_id -> Uuid,
        kind -> Text,
        time_entry_id -> Nullable<Uuid>,
        expense_id -> Nullable<Uuid>,
        position -> Int4,
        service_date -> Nullable<Date>,
        user_id -> Nullable<Uuid>,
        activity_code -> Nullable<Text>,
        description -> Text,
        quantity_minutes -> Nullable<Int4>,
        rate_minor -> Nullable<Int8>,
        amount_minor -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing.credit_notes (id) {
        id -> Uuid,
        firm_id -> Uuid,
        invoice_id -> Uuid,
        credit_note_number -> Text,
        amount_minor -> Int8,
        currency -> Text,
        reason -> Text,
        issued_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing.invoice_pdfs (invoice_id) {
        invoice_id -> Uuid,
        firm_id -> Uuid,
        object_key -> Text,
        sha256 -> Text,
        size_bytes -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing.payments (id) {
        id -> Uuid,
        firm_id -> Uuid,
        client_id -> Uuid,
        kind -> Text,
        original_payment_id -> Nullable<Uuid>,
        method -> Text,
        amount_minor -> Int8,
        currency -> Text,
        received_on -> Date,
        reference -> Nullable<Text>,
        notes -> Nullable<Text>,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing.payment_allocations (id) {
        id -> Uuid,
        firm_id -> Uuid,
        payment_id -> Uuid,
        invoice_id -> Uuid,
        kind -> Text,
        amount_minor -> Int8,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing.payment_events (id) {
        id -> Uuid,
        firm_id -> Uuid,
        payment_id -> Uuid,
        event_type -> Text,
        invoice_id -> Nullable<Uuid>,
        amount_minor -> Int8,
        data -> Jsonb,
        actor_user_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing.invoice_balances (invoice_id) {
        invoice_id -> Uuid,
        firm_id -> Uuid,
        total_minor -> Int8,
        credited_minor -> Int8,
        paid_minor -> Int8,
        balance_minor -> Int8,
        status -> Text,
    }
}

diesel::table! {
    billing.payment_balances (payment_id) {
        payment_id -> Uuid,
        firm_id -> Uuid,
        amount_minor -> Int8,
        allocated_minor -> Int8,
        returned_minor -> Int8,
        unapplied_minor -> Int8,
        reversed -> Bool,
    }
}

diesel::table! {
    billing.trust_accounts (id) {
        id -> Uuid,
        firm_id -> Uuid,
        name -> Text,
        bank_name -> Nullable<Text>,
        account_last4 -> Nullable<Text>,
        currency -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        archived_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    billing.trust_ledger_entries (id) {
        id -> Uuid,
        firm_id -> Uuid,
        account_id -> Uuid,
        client_id -> Uuid,
        matter_id -> Nullable<Uuid>,
        kind -> Text,
        amount_minor -> Int8,
        currency -> Text,
        entry_date -> Date,
        description -> Text,
        reference -> Nullable<Text>,
        payee -> Nullable<Text>,
        invoice_id -> Nullable<Uuid>,
        payment_id -> Nullable<Uuid>,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing.trust_balances (firm_id, account_id, client_id, matter_key) {
        firm_id -> Uuid,
        account_id -> Uuid,
        client_id -> Uuid,
        matter_key -> Uuid,
        balance_minor -> Int8,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    billing.trust_reconciliations (id) {
        id -> Uuid,
        firm_id -> Uuid,
        account_id -> Uuid,
        period_start -> Date,
        period_end -> Date,
        bank_balance_minor -> Int8,
        deposits_in_transit_minor -> Int8,
        outstanding_checks_minor -> Int8,
        adjusted_bank_minor -> Int8,
        opening_ledger_minor -> Int8,
        period_deposits_minor -> Int8,
        period_withdrawals_minor -> Int8,
        ledger_balance_minor -> Int8,
        client_ledgers_minor -> Int8,
        kept_balances_minor -> Nullable<Int8>,
        client_balances -> Jsonb,
        balanced -> Bool,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}
diesel::allow_tables_to_appear_in_same_query!(invoices, invoice_balances);
