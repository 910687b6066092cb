"""product schema: businesses, context, workspace chat, catalog, social connections,
conversations, messages, the AI decision log, and the reliability tables (webhook staging,
outbox, status history, notifications, alerts).

Started from autogenerate and checked by hand; tests/integration/test_migrations.py proves
the models and this revision agree (columns, types, indexes, FKs, CHECKs, ENUM labels).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 06:33:14.076537
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> postgresql.ENUM:
    # Created and dropped explicitly below: two tables share conversation_status and
    # social_platform_type, so letting create_table create them would collide.
    return postgresql.ENUM(*values, name=name, create_type=False)


SOCIAL_PLATFORM_TYPE = _enum('social_platform_type', 'instagram', 'whatsapp')
MESSAGE_SENDER_TYPE = _enum('message_sender_type', 'user', 'ai')
CONVERSATION_STATUS = _enum('conversation_status', 'active_ai', 'escalated_human_needed', 'active_human', 'resolved_by_ai', 'resolved_by_human', 'archived')
CONVERSATION_SENDER_TYPE = _enum('conversation_sender_type', 'customer', 'ai_bot', 'business_human')
MESSAGE_CONTENT_TYPE = _enum('message_content_type', 'text', 'image', 'audio', 'video', 'file', 'sticker', 'unsupported')
AI_ACTION_TAKEN = _enum('ai_action_taken', 'responded_auto', 'escalated', 'error_occurred', 'holding_message_sent')
ENUM_TYPES = (SOCIAL_PLATFORM_TYPE, MESSAGE_SENDER_TYPE, CONVERSATION_STATUS, CONVERSATION_SENDER_TYPE, MESSAGE_CONTENT_TYPE, AI_ACTION_TAKEN)


def upgrade() -> None:
    bind = op.get_bind()
    for enum_type in ENUM_TYPES:
        enum_type.create(bind)
    op.create_table('alerts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'firing'"), nullable=False),
    sa.Column('first_fired_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.CheckConstraint("status IN ('firing', 'resolved')", name='ck_alerts_status_valid'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('uq_alerts_fingerprint_firing', 'alerts', ['fingerprint'], unique=True, postgresql_where=sa.text("status = 'firing'"))
    op.create_table('businesses',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('business_type', sa.Text(), nullable=True),
    sa.Column('target_audience_description', sa.Text(), nullable=True),
    sa.Column('products_services_overview', sa.Text(), nullable=True),
    sa.Column('social_media_presence', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('goals_preferences', sa.Text(), nullable=True),
    sa.Column('policies', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('onboarding_progress', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('profile_completeness_score', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('shortcode', sa.Text(), nullable=True),
    sa.Column('confidence_threshold', sa.Float(), server_default=sa.text('0.6'), nullable=False),
    sa.Column('onboarding_completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("shortcode ~ '^[A-Za-z0-9-]{1,20}$'", name='ck_businesses_shortcode_format'),
    sa.CheckConstraint('confidence_threshold >= 0 AND confidence_threshold <= 1', name='ck_businesses_confidence_threshold_unit_interval'),
    sa.CheckConstraint('profile_completeness_score BETWEEN 0 AND 100', name='ck_businesses_profile_completeness_score_range'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', name='uq_businesses_user_id')
    )
    op.create_index('ix_businesses_name', 'businesses', ['name'], unique=False)
    op.create_table('business_context_chunks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('chunk_text', sa.Text(), nullable=False),
    sa.Column('source_field', sa.Text(), nullable=True),
    sa.Column('content_hash', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_business_context_chunks_business_source', 'business_context_chunks', ['business_id', 'source_field'], unique=False)
    op.create_table('products',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('base_price', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('images_urls', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('base_price >= 0', name='ck_products_base_price_non_negative'),
    sa.CheckConstraint('length(btrim(name)) > 0', name='ck_products_name_not_blank'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id', 'business_id', name='uq_products_id_business')
    )
    op.create_index('ix_products_business_active', 'products', ['business_id', 'is_active'], unique=False)
    op.create_index('ix_products_business_category', 'products', ['business_id', 'category'], unique=False)
    op.create_index('ix_products_business_name', 'products', ['business_id', 'name'], unique=False)
    op.create_table('social_connections',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('platform', SOCIAL_PLATFORM_TYPE, nullable=False),
    sa.Column('platform_account_id', sa.Text(), nullable=False),
    sa.Column('display_name', sa.Text(), nullable=True),
    sa.Column('whatsapp_phone_number_id', sa.Text(), nullable=True),
    sa.Column('whatsapp_waba_id', sa.Text(), nullable=True),
    sa.Column('webhook_path_token', sa.Text(), nullable=False),
    sa.Column('access_token_encrypted', sa.Text(), nullable=True),
    sa.Column('app_secret_encrypted', sa.Text(), nullable=True),
    sa.Column('verify_token_encrypted', sa.Text(), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_status', sa.Text(), server_default=sa.text("'valid'"), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('permissions', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('last_webhook_status', sa.Text(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("token_status IN ('valid', 'expired', 'revoked', 'invalid')", name='ck_social_connections_token_status_valid'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_id', 'platform', 'platform_account_id', name='uq_social_connections_business_platform_account'),
    sa.UniqueConstraint('id', 'business_id', name='uq_social_connections_id_business'),
    sa.UniqueConstraint('webhook_path_token', name='uq_social_connections_webhook_path_token')
    )
    op.create_table('workspace_chat_messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('sender_type', MESSAGE_SENDER_TYPE, nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('thread', sa.Text(), server_default=sa.text("'assistant'"), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('timestamp', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("thread IN ('onboarding', 'assistant')", name='ck_workspace_chat_messages_thread_valid'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_workspace_chat_messages_business_timestamp', 'workspace_chat_messages', ['business_id', 'timestamp'], unique=False)
    op.create_table('conversations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('social_connection_id', sa.Uuid(), nullable=False),
    sa.Column('customer_platform_id', sa.Text(), nullable=False),
    sa.Column('customer_name', sa.Text(), nullable=True),
    sa.Column('customer_avatar_url', sa.Text(), nullable=True),
    sa.Column('status', CONVERSATION_STATUS, server_default=sa.text("'active_ai'"), nullable=False),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_message_snippet', sa.Text(), nullable=True),
    sa.Column('last_customer_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unread_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('assigned_to_user_id', sa.Uuid(), nullable=True),
    sa.Column('ai_confidence_score_last', sa.Float(), nullable=True),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_human_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('ai_confidence_score_last >= 0 AND ai_confidence_score_last <= 1', name='ck_conversations_ai_confidence_score_last_unit_interval'),
    sa.CheckConstraint('unread_count >= 0', name='ck_conversations_unread_count_non_negative'),
    sa.ForeignKeyConstraint(['assigned_to_user_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['social_connection_id', 'business_id'], ['social_connections.id', 'social_connections.business_id'], name='fk_conversations_connection_business', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id', 'business_id', name='uq_conversations_id_business'),
    sa.UniqueConstraint('social_connection_id', 'customer_platform_id', name='uq_conversations_connection_customer')
    )
    op.create_index(op.f('ix_conversations_assigned_to_user_id'), 'conversations', ['assigned_to_user_id'], unique=False)
    op.create_index('ix_conversations_business_last_message', 'conversations', ['business_id', sa.literal_column('last_message_at DESC')], unique=False)
    op.create_index('ix_conversations_business_status_last_message', 'conversations', ['business_id', 'status', sa.literal_column('last_message_at DESC')], unique=False)
    op.create_index('ix_conversations_status_last_message', 'conversations', ['status', 'last_message_at'], unique=False)
    op.create_table('inventory_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('variant_options_ids', postgresql.ARRAY(sa.Uuid()), nullable=True),
    sa.Column('price', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('stock_quantity', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('barcode', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("sku ~ '^[A-Za-z0-9-]{1,50}$'", name='ck_inventory_items_sku_format'),
    sa.CheckConstraint('price >= 0', name='ck_inventory_items_price_non_negative'),
    sa.CheckConstraint('stock_quantity >= 0', name='ck_inventory_items_stock_quantity_non_negative'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id', 'business_id'], ['products.id', 'products.business_id'], name='fk_inventory_items_product_business', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_id', 'sku', name='uq_inventory_items_business_sku')
    )
    op.create_index('ix_inventory_items_business_active_stock', 'inventory_items', ['business_id', 'is_active', 'stock_quantity'], unique=False)
    op.create_index('ix_inventory_items_product_active_stock', 'inventory_items', ['product_id', 'is_active', 'stock_quantity'], unique=False)
    op.create_table('product_variants',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('option_name', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('position >= 0', name='ck_product_variants_position_non_negative'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('product_id', 'option_name', name='uq_product_variants_product_option_name')
    )
    op.create_table('webhook_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('platform', SOCIAL_PLATFORM_TYPE, nullable=False),
    sa.Column('connection_id', sa.Uuid(), nullable=True),
    sa.Column('path_token', sa.Text(), nullable=True),
    sa.Column('signature_valid', sa.Boolean(), nullable=False),
    sa.Column('headers', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'received'"), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('received', 'processed', 'failed', 'ignored')", name='ck_webhook_events_status_valid'),
    sa.ForeignKeyConstraint(['connection_id'], ['social_connections.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_webhook_events_connection_id'), 'webhook_events', ['connection_id'], unique=False)
    op.create_index('ix_webhook_events_status_received', 'webhook_events', ['status', 'received_at'], unique=False)
    op.create_table('conversation_status_history',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('conversation_id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', CONVERSATION_STATUS, nullable=True),
    sa.Column('to_status', CONVERSATION_STATUS, nullable=False),
    sa.Column('changed_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("actor IN ('ai', 'human', 'system', 'customer')", name='ck_conversation_status_history_actor_valid'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by_user_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id', 'business_id'], ['conversations.id', 'conversations.business_id'], name='fk_conversation_status_history_conversation_business', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_conversation_status_history_business_created', 'conversation_status_history', ['business_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_conversation_status_history_changed_by_user_id'), 'conversation_status_history', ['changed_by_user_id'], unique=False)
    op.create_index('ix_conversation_status_history_conversation_created', 'conversation_status_history', ['conversation_id', 'created_at'], unique=False)
    op.create_table('messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('conversation_id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('platform_message_id', sa.Text(), nullable=True),
    sa.Column('sender_type', CONVERSATION_SENDER_TYPE, nullable=False),
    sa.Column('content_type', MESSAGE_CONTENT_TYPE, server_default=sa.text("'text'"), nullable=False),
    sa.Column('text_content', sa.Text(), nullable=True),
    sa.Column('media_url', sa.Text(), nullable=True),
    sa.Column('media_mime_type', sa.Text(), nullable=True),
    sa.Column('ai_processing_log_id', sa.Uuid(), nullable=True),
    sa.Column('platform_timestamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivery_status', sa.Text(), nullable=True),
    sa.Column('raw', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("delivery_status IN ('pending', 'sent', 'delivered', 'read', 'failed')", name='ck_messages_delivery_status_valid'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id', 'business_id'], ['conversations.id', 'conversations.business_id'], name='fk_messages_conversation_business', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform_message_id', name='uq_messages_platform_message_id')
    )
    op.create_index(op.f('ix_messages_ai_processing_log_id'), 'messages', ['ai_processing_log_id'], unique=False)
    op.create_index('ix_messages_business_created', 'messages', ['business_id', 'created_at'], unique=False)
    op.create_index('ix_messages_conversation_platform_timestamp', 'messages', ['conversation_id', sa.literal_column('platform_timestamp DESC')], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('conversation_id', sa.Uuid(), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notifications_business_created', 'notifications', ['business_id', sa.literal_column('created_at DESC')], unique=False)
    op.create_index(op.f('ix_notifications_conversation_id'), 'notifications', ['conversation_id'], unique=False)
    op.create_table('product_variant_options',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('variant_id', sa.Uuid(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('position >= 0', name='ck_product_variant_options_position_non_negative'),
    sa.ForeignKeyConstraint(['variant_id'], ['product_variants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('variant_id', 'value', name='uq_product_variant_options_variant_value')
    )
    op.create_table('ai_responses_log',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('conversation_id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('incoming_message_id', sa.Uuid(), nullable=True),
    sa.Column('generated_message_id', sa.Uuid(), nullable=True),
    sa.Column('prompt_template_used', sa.Text(), nullable=True),
    sa.Column('final_prompt_sent_to_llm', sa.Text(), nullable=False),
    sa.Column('llm_raw_response', sa.Text(), nullable=True),
    sa.Column('parsed_response_text', sa.Text(), nullable=True),
    sa.Column('retrieved_context_snippets', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('detected_intent', sa.Text(), nullable=True),
    sa.Column('extracted_entities', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('sentiment', sa.Text(), nullable=True),
    sa.Column('confidence_score', sa.Float(), nullable=True),
    sa.Column('action_taken', AI_ACTION_TAKEN, nullable=True),
    sa.Column('error_details', sa.Text(), nullable=True),
    sa.Column('processing_time_ms', sa.Integer(), nullable=True),
    sa.Column('timings', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('brain', sa.Text(), nullable=True),
    sa.Column('model_name', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("brain IN ('local', 'openai')", name='ck_ai_responses_log_brain_valid'),
    sa.CheckConstraint('confidence_score >= 0 AND confidence_score <= 1', name='ck_ai_responses_log_confidence_score_unit_interval'),
    sa.CheckConstraint('processing_time_ms >= 0', name='ck_ai_responses_log_processing_time_ms_non_negative'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id', 'business_id'], ['conversations.id', 'conversations.business_id'], name='fk_ai_responses_log_conversation_business', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['generated_message_id'], ['messages.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incoming_message_id'], ['messages.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_ai_responses_log_action_taken'), 'ai_responses_log', ['action_taken'], unique=False)
    op.create_index('ix_ai_responses_log_business_created', 'ai_responses_log', ['business_id', 'created_at'], unique=False)
    op.create_index('ix_ai_responses_log_conversation_created', 'ai_responses_log', ['conversation_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_ai_responses_log_generated_message_id'), 'ai_responses_log', ['generated_message_id'], unique=False)
    op.create_index(op.f('ix_ai_responses_log_incoming_message_id'), 'ai_responses_log', ['incoming_message_id'], unique=False)
    # messages and ai_responses_log reference each other; this half waits for both tables.
    op.create_foreign_key('fk_messages_ai_processing_log_id', 'messages', 'ai_responses_log',
                          ['ai_processing_log_id'], ['id'], ondelete='SET NULL')
    op.create_table('outbox',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=True),
    sa.Column('conversation_id', sa.Uuid(), nullable=True),
    sa.Column('message_id', sa.Uuid(), nullable=True),
    sa.Column('idempotency_key', sa.Text(), nullable=False),
    sa.Column('recipient', sa.Text(), nullable=True),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('provider_message_id', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('instagram_message', 'whatsapp_message', 'email', 'slack')", name='ck_outbox_kind_valid'),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'dead')", name='ck_outbox_status_valid'),
    sa.CheckConstraint('attempts >= 0', name='ck_outbox_attempts_non_negative'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key', name='uq_outbox_idempotency_key')
    )
    op.create_index(op.f('ix_outbox_business_id'), 'outbox', ['business_id'], unique=False)
    op.create_index(op.f('ix_outbox_conversation_id'), 'outbox', ['conversation_id'], unique=False)
    op.create_index(op.f('ix_outbox_message_id'), 'outbox', ['message_id'], unique=False)
    op.create_index('ix_outbox_status_next_attempt', 'outbox', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_constraint('fk_messages_ai_processing_log_id', 'messages', type_='foreignkey')
    op.drop_table('outbox')
    op.drop_table('ai_responses_log')
    op.drop_table('product_variant_options')
    op.drop_table('notifications')
    op.drop_table('messages')
    op.drop_table('conversation_status_history')
    op.drop_table('webhook_events')
    op.drop_table('product_variants')
    op.drop_table('inventory_items')
    op.drop_table('conversations')
    op.drop_table('workspace_chat_messages')
    op.drop_table('social_connections')
    op.drop_table('products')
    op.drop_table('business_context_chunks')
    op.drop_table('businesses')
    op.drop_table('alerts')
    bind = op.get_bind()
    for enum_type in reversed(ENUM_TYPES):
        enum_type.drop(bind)
