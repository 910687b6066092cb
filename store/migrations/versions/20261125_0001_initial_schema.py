"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 06:21:27.507647
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("CREATE SCHEMA IF NOT EXISTS chidi_auth")
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('encrypted_password', sa.Text(), nullable=True),
    sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('raw_app_meta_data', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('raw_user_meta_data', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='chidi_auth'
    )
    op.create_index('ix_chidi_auth_users_email', 'users', ['email'], unique=True, schema='chidi_auth')
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=True),
    sa.Column('avatar_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=True)
    op.create_table('identities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('provider', sa.Text(), nullable=False),
    sa.Column('provider_id', sa.Text(), nullable=False),
    sa.Column('identity_data', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['chidi_auth.users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider', 'provider_id', name='uq_chidi_auth_identities_provider'),
    schema='chidi_auth'
    )
    op.create_index(op.f('ix_chidi_auth_identities_user_id'), 'identities', ['user_id'], unique=False, schema='chidi_auth')
    op.create_table('one_time_tokens',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('token_type', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('relates_to', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['chidi_auth.users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash', name='uq_chidi_auth_one_time_tokens_token_hash'),
    schema='chidi_auth'
    )
    op.create_index(op.f('ix_chidi_auth_one_time_tokens_user_id'), 'one_time_tokens', ['user_id'], unique=False, schema='chidi_auth')
    op.create_table('flow_states',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('provider_type', sa.Text(), nullable=False),
    sa.Column('authentication_method', sa.Text(), nullable=False),
    sa.Column('code_challenge', sa.Text(), nullable=False),
    sa.Column('code_challenge_method', sa.Text(), nullable=False),
    sa.Column('auth_code_hash', sa.Text(), nullable=True),
    sa.Column('auth_code_issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['chidi_auth.users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('auth_code_hash', name='uq_chidi_auth_flow_states_auth_code_hash'),
    schema='chidi_auth'
    )
    op.create_index(op.f('ix_chidi_auth_flow_states_user_id'), 'flow_states', ['user_id'], unique=False, schema='chidi_auth')
    op.create_table('sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('amr', sa.Text(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['chidi_auth.users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    schema='chidi_auth'
    )
    op.create_index(op.f('ix_chidi_auth_sessions_user_id'), 'sessions', ['user_id'], unique=False, schema='chidi_auth')
    op.create_table('refresh_tokens',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['chidi_auth.sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash', name='uq_chidi_auth_refresh_tokens_token_hash'),
    schema='chidi_auth'
    )
    op.create_index(op.f('ix_chidi_auth_refresh_tokens_session_id'), 'refresh_tokens', ['session_id'], unique=False, schema='chidi_auth')


def downgrade() -> None:
    op.drop_index(op.f('ix_chidi_auth_refresh_tokens_session_id'), table_name='refresh_tokens', schema='chidi_auth')
    op.drop_table('refresh_tokens', schema='chidi_auth')
    op.drop_index(op.f('ix_chidi_auth_sessions_user_id'), table_name='sessions', schema='chidi_auth')
    op.drop_table('sessions', schema='chidi_auth')
    op.drop_index(op.f('ix_chidi_auth_one_time_tokens_user_id'), table_name='one_time_tokens', schema='chidi_auth')
    op.drop_table('one_time_tokens', schema='chidi_auth')
    op.drop_index(op.f('ix_chidi_auth_flow_states_user_id'), table_name='flow_states', schema='chidi_auth')
    op.drop_table('flow_states', schema='chidi_auth')
    op.drop_index(op.f('ix_chidi_auth_identities_user_id'), table_name='identities', schema='chidi_auth')
    op.drop_table('identities', schema='chidi_auth')
    op.drop_index(op.f('ix_users_email'), table_name='users')
    op.drop_table('users')
    op.drop_index('ix_chidi_auth_users_email', table_name='users', schema='chidi_auth')
    op.drop_table('users', schema='chidi_auth')
    op.execute("DROP SCHEMA IF EXISTS chidi_auth CASCADE")
