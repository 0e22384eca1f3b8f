CREATE TABLE "idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"caller" text NOT NULL,
	"operation" text NOT NULL,
	"request_hash" text NOT NULL,
	"outcome" text NOT NULL,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" USING btree ("expires_at");