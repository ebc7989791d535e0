package user

import (
	"context"
	"strings"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/rpc"
)

func (s *service) GetProfile(ctx context.Context, req *userv1.GetProfileRequest) (*userv1.GetProfileResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.liveUser(ctx, caller.UserID)
	if err != nil {
		return nil, err
	}
	return &userv1.GetProfileResponse{User: userToProto(a)}, nil
}

func (s *service) UpdateProfile(ctx context.Context, req *userv1.UpdateProfileRequest) (*userv1.UpdateProfileResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.store.updateDisplayName(ctx, caller.UserID, strings.TrimSpace(req.GetDisplayName()), s.now())
	if err != nil {
		return nil, err
	}
	return &userv1.UpdateProfileResponse{User: userToProto(a)}, nil
}

// ChangePassword checks the current password, stores the new one, ends
// every other session of the caller and returns fresh tokens for the
// current session (whose older refresh tokens stop working). Wrong current
// passwords count as failed sign-ins of the account. The hashing is
// done outside the transaction; the store replaces the hash only if it is
// still the one checked, so of two concurrent changes one wins and the
// other is a mismatch.
func (s *service) ChangePassword(ctx context.Context, req *userv1.ChangePasswordRequest) (*userv1.ChangePasswordResponse, error) {
	caller, a, err := s.reauthenticate(ctx, req.GetCurrentPassword())
	if err != nil {
		return nil, err
	}
	hash, err := hashPassword(ctx, s.cost, req.GetNewPassword())
	if err != nil {
		return nil, err
	}
	refresh, refreshHash := newRefreshToken()
	a, sess, err := s.store.changePassword(ctx, a.ID, caller.SessionID, a.PasswordHash, hash, refreshHash, s.now())
	if err != nil {
		return nil, err
	}
	out, err := s.sessionToProto(a, sess, refresh)
	if err != nil {
		return nil, err
	}
	return &userv1.ChangePasswordResponse{Session: out}, nil
}
